using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Api;

/// <summary>
/// Forged browser requests: every POST, PUT, PATCH and DELETE the route table holds, sent with a signed-in
/// Admin's cookie, is refused with <c>403 CSRF</c> when it comes from another site or names no origin, and
/// passes the check with the portal's own origin. Generated from the route table, so a new route is covered.
/// </summary>
public partial class OriginCheckTests(PortalFixture fixture, ITestOutputHelper output) : IClassFixture<PortalFixture>
{
    private static readonly string[] Unsafe = ["POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Each unsafe route with its parameters filled in (the check runs before the endpoint, so any value does).</summary>
    private List<(string Method, string Path)> UnsafeRoutes()
    {
        var routes = new List<(string, string)>();
        foreach (var endpoint in fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            var path = RouteParameter().Replace("/" + endpoint.RoutePattern.RawText!.TrimStart('/'), "1");
            foreach (var method in methods.Intersect(Unsafe))
            {
                routes.Add((method, path));
            }
        }

        return routes;
    }

    [Fact]
    public async Task Every_cookie_authenticated_write_from_another_site_or_without_an_origin_is_refused_with_csrf()
    {
        var routes = UnsafeRoutes();
        Assert.True(routes.Count >= 20, $"the route table should hold the portal's writes, found {routes.Count}");
        var (admin, cookies) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        using var bare = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = fixture.Factory.RootUri };

        var missed = new List<string>();
        // Sign-in (the API call and the login page's form) is not cookie-authenticated and needs no Origin.
        foreach (var (method, path) in routes.Where(r => r.Path is not ("/api/v1/auth/login" or "/login")))
        {
            foreach (var origin in new[] { null, "https://evil.example", "null" })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
                if (origin is not null)
                {
                    request.Headers.Add("Origin", origin);
                }

                using var response = await bare.SendAsync(request);
                var code = await CodeOf(response);
                if (response.StatusCode != HttpStatusCode.Forbidden || code != "CSRF")
                {
                    missed.Add($"{method} {path} with Origin {origin ?? "(none)"}: {(int)response.StatusCode} {code}");
                }
            }
        }

        output.WriteLine($"{routes.Count} unsafe routes checked");
        Assert.Empty(missed);
        // The session survived all of that: the check refuses requests, it does not sign anyone out.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    [Fact]
    public async Task The_portals_own_origin_passes_and_shop_key_callback_and_sign_in_need_none()
    {
        var (admin, cookies) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        using var bare = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = fixture.Factory.RootUri };
        var passed = new List<string>();
        foreach (var (method, path) in UnsafeRoutes().Where(r => r.Path != "/api/v1/auth/logout"))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
            request.Headers.Add("Origin", PortalClient.OriginOf(fixture.Factory.RootUri));
            using var response = await bare.SendAsync(request);
            Assert.False(await CodeOf(response) == "CSRF", $"{method} {path} from the portal's own origin was refused as forged");
            passed.Add(path);
        }

        // Not cookie-authenticated, so no Origin: the shop's API key, and signing in.
        using var shop = new HttpClient { BaseAddress = fixture.Factory.RootUri };
        shop.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        Assert.Equal(HttpStatusCode.Created, (await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder())).StatusCode);
        using var signIn = new HttpClient { BaseAddress = fixture.Factory.RootUri };
        Assert.Equal(HttpStatusCode.NoContent,
            (await signIn.PostAsJsonAsync("/api/v1/auth/login", new { email = PortalClient.Operations, password = PortalClient.Password })).StatusCode);
        output.WriteLine($"{passed.Count} unsafe routes passed the check from the portal's own origin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    [Fact]
    public async Task The_live_hub_opens_over_websockets_only_from_the_portals_own_origin()
    {
        var (_, cookies) = await fixture.Factory.SignInAsync(PortalClient.Operations);
        HubConnection Hub(string? origin) => new HubConnectionBuilder()
            .WithUrl(new Uri(fixture.Factory.RootUri, "/hubs/operations"), o =>
            {
                o.Cookies = cookies;
                o.SkipNegotiation = true; // straight to the WebSocket upgrade, a GET a page on another site could make
                o.Transports = HttpTransportType.WebSockets;
                if (origin is not null)
                {
                    o.Headers["Origin"] = origin;
                }
            })
            .Build();

        await using var own = Hub(PortalClient.OriginOf(fixture.Factory.RootUri));
        await own.StartAsync();
        Assert.Equal(HubConnectionState.Connected, own.State);

        foreach (var origin in new[] { null, "https://evil.example" })
        {
            await using var forged = Hub(origin);
            await Assert.ThrowsAnyAsync<Exception>(() => forged.StartAsync());
        }
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
