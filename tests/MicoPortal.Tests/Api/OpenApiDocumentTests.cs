using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MicoPortal.Tests.Api;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) describes every route the app maps as an API handler, with its
/// request and response types and how it is authenticated; a new route missing from it fails here.
/// </summary>
public partial class OpenApiDocumentTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private async Task<JsonElement> DocumentAsync()
    {
        var response = await fixture.Factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<JsonElement>();
    }

    /// <summary>
    /// Every HTTP route of the app as "METHOD /path" with bare parameters, but for what is not an API: Blazor pages,
    /// static files and the fallback, the SignalR hub, the Hangfire dashboard and the health probes (docs/api.md
    /// describes those). Routes kept out of the document on purpose are listed in <see cref="LeftOut"/>.
    /// </summary>
    private IEnumerable<(string Route, bool Excluded)> MappedRoutes() => fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is null
            && e.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is null
            && e.DisplayName?.StartsWith("Fallback ", StringComparison.Ordinal) != true
            && !NotApi().IsMatch(e.RoutePattern.RawText ?? ""))
        .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
            .Select(m => ($"{m} {Bare(e.RoutePattern.RawText!)}", e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true)))
        .Distinct();

    [GeneratedRegex(@"^/?(hubs/|hangfire|health/|_framework/|_blazor|scalar/|openapi/)")]
    private static partial Regex NotApi();

    /// <summary>
    /// Routes left out of the portal's document, each for a reason: the built-in sandbox is a simulated provider and
    /// speaks the provider's API (docs/api.md section 4), not the portal's; <c>/logout</c> is the sign-in page's form;
    /// <c>/metrics</c> is Prometheus' text format, served by OpenTelemetry's exporter (docs/api.md section 3).
    /// </summary>
    private static bool LeftOut(string route) => route.Contains(" /sandbox/", StringComparison.Ordinal) || route == "POST /logout" || route == "GET /metrics";

    /// <summary><c>/orders/{id:long}</c> → <c>/orders/{id}</c>, as OpenAPI writes paths.</summary>
    private static string Bare(string pattern) =>
        "/" + Constraint().Replace(pattern.TrimStart('/'), "{$1}").TrimEnd('/');

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z]+)(?::[^}]+)?\??\}")]
    private static partial Regex Constraint();

    [Fact]
    public async Task Every_mapped_route_is_in_the_document()
    {
        var document = await DocumentAsync();
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name.TrimEnd('/')}"))
            .ToHashSet();

        var mapped = MappedRoutes().ToList();
        var routes = mapped.Where(r => !r.Excluded).Select(r => r.Route).ToList();
        var missing = routes.Where(r => !documented.Contains(r)).ToList();
        var excludedWithoutReason = mapped.Where(r => r.Excluded && !LeftOut(r.Route)).Select(r => r.Route).ToList();

        Assert.True(routes.Count > 40, $"only {routes.Count} routes found ({string.Join(", ", routes)}): the endpoint scan is broken");
        Assert.True(missing.Count == 0, "routes missing from /openapi/v1.json: " + string.Join(", ", missing));
        Assert.True(excludedWithoutReason.Count == 0, "routes excluded from the document with no reason given here: " + string.Join(", ", excludedWithoutReason));
    }

    [Fact]
    public async Task Operations_name_their_types_and_how_they_are_authenticated()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");
        JsonElement Operation(string path, string method) => paths.GetProperty(path).GetProperty(method);
        string[] Schemes(JsonElement operation) => operation.TryGetProperty("security", out var security)
            ? [.. security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Order()]
            : [];

        var create = Operation("/api/v1/orders", "post");
        Assert.Equal(["shopApiKey"], Schemes(create));
        Assert.Contains("CreateOrderRequest", create.GetProperty("requestBody").GetRawText(), StringComparison.Ordinal);
        Assert.Contains("OrderDto", create.GetProperty("responses").GetProperty("201").GetRawText(), StringComparison.Ordinal);
        Assert.True(create.GetProperty("responses").TryGetProperty("default", out var problem));
        Assert.Contains("application/problem+json", problem.GetRawText(), StringComparison.Ordinal);

        Assert.Equal(["cookie", "shopApiKey"], Schemes(Operation("/api/v1/orders/{id}", "get")));
        Assert.Equal(["cookie"], Schemes(Operation("/api/v1/orders/{id}/resolve", "post")));
        Assert.Equal(["cookie"], Schemes(Operation("/api/v1/providers/{name}/pause", "post")));
        Assert.Equal(["providerSignature"], Schemes(Operation("/api/v1/provider/callbacks/{provider}", "post")));
        Assert.Empty(Schemes(Operation("/api/v1/auth/login", "post")));

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Api-Key", schemes.GetProperty("shopApiKey").GetProperty("name").GetString());
        Assert.Equal("cookie", schemes.GetProperty("cookie").GetProperty("in").GetString());
        Assert.Equal("X-Topup-Signature", schemes.GetProperty("providerSignature").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Outside_Development_the_document_and_reference_are_for_Admins_only()
    {
        await using var staging = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:ApiKey"] = "staging-provider-key",
            ["Sandbox:CallbackSecret"] = "staging-callback-secret",
            ["Provider:ApiKey"] = "staging-provider-key",
            ["Provider:CallbackSecret"] = "staging-callback-secret",
        })
        { Environment = "Staging" };
        staging.StartServer();
        var anonymous = staging.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        // A page: an anonymous browser is sent to sign in.
        var reference = await anonymous.GetAsync("/scalar/v1");
        Assert.Equal("/login", reference.RequestMessage?.RequestUri?.AbsolutePath);
    }
}
