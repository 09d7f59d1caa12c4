using System.Net;
using System.Text;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Api;

/// <summary>
/// Every endpoint of the app against every kind of caller. The test lists the app's endpoints
/// itself and fails on one the matrix does not name, so a new route cannot ship unreviewed.
/// </summary>
public class AuthorizationMatrixTests(PortalFixture fixture, ITestOutputHelper output) : IClassFixture<PortalFixture>
{
    public enum Caller
    {
        Anonymous,
        Operations,
        Admin,
        ShopKey,
        WrongKey,
    }

    /// <summary>What a caller may see: Allowed means the request got past authentication and authorization.</summary>
    public enum Access
    {
        Allowed,
        Unauthorized,
        Forbidden,
        RedirectToLogin,
    }

    private const Access Ok = Access.Allowed;
    private const Access No = Access.Unauthorized;
    private const Access Deny = Access.Forbidden;
    private const Access Login = Access.RedirectToLogin;

    // Expected access for: Anonymous, Operations, Admin, ShopKey, WrongKey.
    private static readonly Dictionary<string, Access[]> Matrix = new()
    {
        ["* /health/live"] = [Ok, Ok, Ok, Ok, Ok],
        ["* /health/ready"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /metrics"] = [Ok, Ok, Ok, Ok, Ok], // from loopback; other addresses and scrape networks: HardeningTests
        // Open to everyone; the probe's empty body is refused as wrong credentials.
        ["POST /api/v1/auth/login"] = [No, No, No, No, No],
        ["POST /api/v1/auth/logout"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /api/v1/auth/me"] = [No, Ok, Ok, No, No],
        ["POST /logout"] = [Ok, Ok, Ok, Ok, Ok],
        // Open to everyone, but it only works with the one-time secret while no admin exists.
        ["POST /api/v1/auth/bootstrap"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /api/v1/admin/api-keys/"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/admin/api-keys/"] = [No, Deny, Ok, No, No],
        ["DELETE /api/v1/admin/api-keys/{id:long}"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/admin/users/"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/admin/users/"] = [No, Deny, Ok, No, No],
        ["PUT /api/v1/admin/users/{id}/role"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/admin/users/{id}/unlock"] = [No, Deny, Ok, No, No],
        ["DELETE /api/v1/admin/users/{id}"] = [No, Deny, Ok, No, No],
        // The API document and its reference: open in Development (this fixture); Admin only elsewhere (OpenApiDocumentTests).
        ["GET /openapi/{documentName}.json"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /scalar/{documentName?}"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /api/v1/incidents/"] = [No, Ok, Ok, No, No],
        ["GET /api/v1/providers/"] = [No, Ok, Ok, No, No],
        ["POST /api/v1/providers/{name}/pause"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/providers/{name}/resume"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/notifications/"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/notifications/sandbox-inbox"] = [No, Deny, Ok, No, No],
        ["PUT /api/v1/admin/shops/{shop}/webhook"] = [No, Deny, Ok, No, No],
        ["DELETE /api/v1/admin/shops/{shop}/webhook"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/admin/shops/webhooks"] = [No, Deny, Ok, No, No],
        // A shop's key reads its own deliveries; Operations staff have no use for them.
        ["GET /api/v1/webhooks/deliveries"] = [No, Deny, Ok, Ok, No],
        ["GET /api/v1/webhooks/deliveries/{id:long}"] = [No, Deny, Ok, Ok, No],
        ["POST /api/v1/webhooks/deliveries/{id:long}/resend"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/webhooks/deliveries/resend-failed"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/webhooks/sandbox-inbox"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/audit/verify"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/audit/entries"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/reconciliations/"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/reconciliations/sandbox"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/reconciliations/"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/reconciliations/{id:long}"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/reconciliations/{id:long}/items"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/reconciliations/{id:long}/items.csv"] = [No, Deny, Ok, No, No],
        // Placing orders and looking up accounts take the shop's key only: no top-up from a person's session.
        ["POST /api/v1/orders"] = [No, Deny, Deny, Ok, No],
        ["POST /api/v1/orders/batch"] = [No, Deny, Deny, Ok, No],
        ["GET /api/v1/orders/{id:long}"] = [No, Ok, Ok, Ok, No],
        ["GET /api/v1/orders"] = [No, Ok, Ok, Ok, No],
        ["GET /api/v1/orders/export"] = [No, Ok, Ok, Ok, No],
        ["POST /api/v1/accounts/lookup"] = [No, Deny, Deny, Ok, No],
        ["POST /api/v1/orders/{id:long}/reverify"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/orders/{id:long}/retry-delivery"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/orders/reverify"] = [No, Deny, Ok, No, No],
        ["POST /api/v1/orders/{id:long}/resolve"] = [No, Deny, Ok, No, No],
        ["GET /api/v1/orders/{id:long}/resolutions/{resolutionId:long}/file"] = [No, Deny, Ok, No, No],
        // Notes are the operators' own record: every operator writes them, shops do not.
        ["POST /api/v1/orders/{id:long}/notes"] = [No, Ok, Ok, No, No],
        ["GET /api/v1/metrics/summary"] = [No, Ok, Ok, No, No],
        ["GET /api/v1/metrics/timeseries"] = [No, Ok, Ok, No, No],
        // Callbacks are authenticated by their HMAC signature, not by a session or key.
        ["POST /api/v1/provider/callbacks"] = [No, No, No, No, No],
        ["POST /api/v1/provider/callbacks/{provider}"] = [No, No, No, No, No],
        ["* /hubs/operations/negotiate"] = [No, Ok, Ok, No, No],
        ["* /hubs/operations"] = [No, Ok, Ok, No, No],
        ["* /hangfire/{**path}"] = [No, Deny, Ok, No, No],
        // The built-in sandbox provider has its own Bearer key, which none of these callers has.
        ["POST /sandbox/provider/v1/orders"] = [No, No, No, No, No],
        ["GET /sandbox/provider/v1/orders/{clientRef}"] = [No, No, No, No, No],
        ["POST /sandbox/provider/v1/orders/query"] = [No, No, No, No, No],
        ["POST /sandbox/provider/v1/accounts/lookup"] = [No, No, No, No, No],
        ["GET /sandbox/provider/v1/balance"] = [No, No, No, No, No],
        ["GET /sandbox/admin/faults"] = [No, No, No, No, No],
        ["PUT /sandbox/admin/faults"] = [No, No, No, No, No],
        ["GET /sandbox/admin/stats"] = [No, No, No, No, No],
        ["GET /sandbox/admin/balance"] = [No, No, No, No, No],
        ["PUT /sandbox/admin/balance"] = [No, No, No, No, No],
        ["GET /sandbox/admin/transactions"] = [No, No, No, No, No],
        // The development webhook receiver takes only requests signed with a shop's webhook secret.
        ["POST /sandbox/webhooks/{shop}"] = [No, No, No, No, No],
        // Pages: the dashboard needs a signed-in operator; the sign-in page is open.
        // (Blazor maps GET and POST for every page; a POST without a form handler is refused after authorization.)
        ["GET /"] = [Login, Ok, Ok, Login, Login],
        ["POST /"] = [Login, Ok, Ok, Login, Login],
        ["GET /orders"] = [Login, Ok, Ok, Login, Login],
        ["POST /orders"] = [Login, Ok, Ok, Login, Login],
        ["GET /orders/{Id:long}"] = [Login, Ok, Ok, Login, Login],
        ["POST /orders/{Id:long}"] = [Login, Ok, Ok, Login, Login],
        ["GET /failed"] = [Login, Ok, Ok, Login, Login],
        ["GET /providers"] = [Login, Ok, Ok, Login, Login],
        ["POST /providers"] = [Login, Ok, Ok, Login, Login],
        ["POST /failed"] = [Login, Ok, Ok, Login, Login],
        ["GET /admin/api-keys"] = [Login, Deny, Ok, Login, Login],
        ["POST /admin/api-keys"] = [Login, Deny, Ok, Login, Login],
        ["GET /admin/users"] = [Login, Deny, Ok, Login, Login],
        ["POST /admin/users"] = [Login, Deny, Ok, Login, Login],
        ["GET /admin/reconciliations"] = [Login, Deny, Ok, Login, Login],
        ["POST /admin/reconciliations"] = [Login, Deny, Ok, Login, Login],
        ["GET /admin/reconciliations/{Id:long}"] = [Login, Deny, Ok, Login, Login],
        ["POST /admin/reconciliations/{Id:long}"] = [Login, Deny, Ok, Login, Login],
        ["GET /admin/audit"] = [Login, Deny, Ok, Login, Login],
        ["POST /admin/audit"] = [Login, Deny, Ok, Login, Login],
        ["GET /admin/notifications"] = [Login, Deny, Ok, Login, Login],
        ["GET /admin/webhooks"] = [Login, Deny, Ok, Login, Login],
        ["POST /admin/webhooks"] = [Login, Deny, Ok, Login, Login],
        ["POST /admin/notifications"] = [Login, Deny, Ok, Login, Login],
        ["GET /access-denied"] = [Ok, Ok, Ok, Ok, Ok],
        ["POST /access-denied"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /login"] = [Ok, Ok, Ok, Ok, Ok],
        ["POST /login"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /not-found"] = [Ok, Ok, Ok, Ok, Ok],
        ["POST /not-found"] = [Ok, Ok, Ok, Ok, Ok],
        ["GET /Error"] = [Ok, Ok, Ok, Ok, Ok],
        ["POST /Error"] = [Ok, Ok, Ok, Ok, Ok],
    };

    [Fact]
    public void The_matrix_names_every_endpoint_of_the_app()
    {
        var unlisted = AppEndpoints().Where(e => !Matrix.ContainsKey(e)).ToList();
        var stale = Matrix.Keys.Where(k => !AppEndpoints().Contains(k)).ToList();

        Assert.True(unlisted.Count == 0, "endpoints missing from the authorization matrix: " + string.Join(", ", unlisted));
        Assert.True(stale.Count == 0, "matrix rows for endpoints that no longer exist: " + string.Join(", ", stale));
    }

    public static TheoryData<string, Caller> Cases()
    {
        var data = new TheoryData<string, Caller>();
        foreach (var route in Matrix.Keys)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(route, caller);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_exactly_the_access_designed(string route, Caller caller)
    {
        var expected = Matrix[route][(int)caller];
        var client = await ClientForAsync(caller);
        var (method, path) = (route.Split(' ', 2)[0], Concrete(route.Split(' ', 2)[1]));
        if (method == "*")
        {
            // Any method is routed here: probe with the one clients use.
            method = path.EndsWith("/negotiate", StringComparison.Ordinal) ? "POST" : "GET";
        }
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var actual = Classify(response);
        output.WriteLine($"{caller} {method} {path} -> {(int)response.StatusCode} ({actual})");

        Assert.Equal(expected, actual);
    }

    private static Access Classify(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.Unauthorized => Access.Unauthorized,
        HttpStatusCode.Forbidden => Access.Forbidden,
        HttpStatusCode.Redirect or HttpStatusCode.Found when response.Headers.Location?.OriginalString.Contains("/access-denied", StringComparison.Ordinal) == true => Access.Forbidden,
        HttpStatusCode.Redirect or HttpStatusCode.Found when response.Headers.Location?.OriginalString.Contains("/login", StringComparison.Ordinal) == true => Access.RedirectToLogin,
        _ => Access.Allowed,
    };

    private static string Concrete(string pattern) => pattern
        .Replace("{id:long}", "1")
        .Replace("{Id:long}", "1")
        .Replace("{id}", "no-such-user")
        .Replace("{resolutionId:long}", "1")
        .Replace("{documentName}", "v1")
        .Replace("{documentName?}", "v1")
        .Replace("{clientRef}", "1-1")
        .Replace("{**path}", "");

    private async Task<HttpClient> ClientForAsync(Caller caller)
    {
        // Redirects are not followed, so a redirect to the sign-in or access-denied page shows as such.
        var cookies = caller switch
        {
            Caller.Operations => (await fixture.Factory.SignInAsync(PortalClient.Operations)).Cookies,
            Caller.Admin => (await fixture.Factory.SignInAsync(PortalClient.Admin)).Cookies,
            _ => new System.Net.CookieContainer(),
        };
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = fixture.Factory.RootUri };
        client.DefaultRequestHeaders.Add("Origin", PortalClient.OriginOf(fixture.Factory.RootUri));
        if (caller == Caller.ShopKey)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        }
        else if (caller == Caller.WrongKey)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");
        }

        return client;
    }

    /// <summary>"METHOD /route" for every routed endpoint except static files.</summary>
    private HashSet<string> AppEndpoints()
    {
        var endpoints = fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var names = new HashSet<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText?.TrimStart('/');
            if (IsStaticAsset(endpoint, pattern))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            if (methods is null || methods.Count == 0)
            {
                names.Add("* " + pattern);
                continue;
            }

            foreach (var method in methods)
            {
                names.Add($"{method} {pattern}");
            }
        }

        return names;
    }

    private static bool IsStaticAsset(RouteEndpoint endpoint, string pattern) =>
        pattern.StartsWith("/_framework", StringComparison.Ordinal) || pattern.StartsWith("/_content", StringComparison.Ordinal)
        || pattern.StartsWith("/_blazor", StringComparison.Ordinal) || pattern.Contains(":file}", StringComparison.Ordinal)
        || (endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is null && System.IO.Path.HasExtension(pattern) && !pattern.Contains('{', StringComparison.Ordinal));
}
