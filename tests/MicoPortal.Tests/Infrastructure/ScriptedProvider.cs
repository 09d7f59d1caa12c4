using System.Collections.Concurrent;
using System.Net.Http.Json;
using MicoPortal.Server.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// A provider (docs/api.md section 4) whose every answer the test decides, written apart from the sandbox: a create
/// is held until the test lets it go or the portal gives up (its outcome then unknown), or accepted as PENDING;
/// status queries fail with 503 while <see cref="QueriesDown"/>, and otherwise answer the view the test set for
/// each reference (REF_NOT_FOUND for one never set). It can also sign and send a callback as the provider would.
/// </summary>
public sealed class ScriptedProvider : IAsyncDisposable
{
    public const string ApiKey = "scripted-provider-key";
    public const string Secret = "scripted-callback-secret";

    private static readonly DateTimeOffset Created = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ProviderOrder> _views = new();
    private readonly ConcurrentDictionary<string, int> _queries = new();

    private ScriptedProvider(WebApplication app) => _app = app;

    /// <summary>Known once started (a free port).</summary>
    public string BaseUrl => _app.Urls.First().TrimEnd('/');

    /// <summary>Creates for these MICO user ids are held (never answered) until the portal's timeout: outcome unknown.</summary>
    public ConcurrentDictionary<string, bool> HeldAccounts { get; } = new();

    /// <summary>While true every status query answers 503.</summary>
    public volatile bool QueriesDown;

    /// <summary>How many times the portal asked about a reference (single or batch query).</summary>
    public int QueriesOf(string clientRef) => _queries.GetValueOrDefault(clientRef);

    /// <summary>Sets what the provider says about <paramref name="clientRef"/> from now on.</summary>
    public ProviderOrder Set(string clientRef, string status, long version, string? reason = null) =>
        _views[clientRef] = Describe(clientRef, status, version, reason);

    /// <summary>The provider's view of a reference (a SUCCESS with its proof), without keeping it.</summary>
    public static ProviderOrder Describe(string clientRef, string status, long version, string? reason = null) => new(
        clientRef, $"SP-{clientRef}", status, reason, reason is null ? null : "scripted",
        status == ProviderStatuses.Success ? new ProviderProof($"SN-{clientRef}-{version}", 500, Created.AddMinutes(version)) : null,
        Created, Created.AddMinutes(version), version);

    public static async Task<ScriptedProvider> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var provider = new ScriptedProvider(app);
        app.MapPost("/v1/orders", provider.CreateAsync);
        app.MapGet("/v1/orders/{clientRef}", (string clientRef) => provider.Query([clientRef]) is { } answer
            ? answer.Orders.Count == 1 ? Results.Json(answer.Orders[0], ProviderJson.Options) : NotFound()
            : Unavailable());
        app.MapPost("/v1/orders/query", async (HttpRequest request) =>
        {
            var body = await request.ReadFromJsonAsync<ProviderQueryRequest>(ProviderJson.Options);
            return provider.Query(body!.ClientRefs) is { } answer ? Results.Json(answer, ProviderJson.Options) : Unavailable();
        });
        app.MapGet("/v1/balance", () => Results.Json(new ProviderBalance("1000000.00", "USD"), ProviderJson.Options));
        app.MapPost("/v1/accounts/lookup", () => Results.Json(new ProviderLookupResponse(true, "scripted", "GLOBAL"), ProviderJson.Options));
        await app.StartAsync();
        return provider;
    }

    /// <summary>Portal settings that make this the <c>default</c> provider, with creates given up after <paramref name="createTimeout"/>.</summary>
    public Dictionary<string, string?> PortalSettings(TimeSpan createTimeout) => new()
    {
        ["Sandbox:Enabled"] = "false",
        ["Provider:BaseUrl"] = BaseUrl,
        ["Provider:ApiKey"] = ApiKey,
        ["Provider:CallbackSecret"] = Secret,
        ["Provider:CreateTimeout"] = createTimeout.ToString("c"),
    };

    private async Task<IResult> CreateAsync(HttpRequest request, CancellationToken aborted)
    {
        var body = await request.ReadFromJsonAsync<ProviderCreateOrderRequest>(ProviderJson.Options, aborted);
        if (HeldAccounts.ContainsKey(body!.Account.UserId))
        {
            // The portal's timeout ends this; what the provider did with the order stays for the queries to tell.
            await Task.Delay(Timeout.Infinite, aborted);
        }

        var view = _views.GetOrAdd(body.ClientRef, r => Set(r, ProviderStatuses.Pending, 1));
        return Results.Json(view, ProviderJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private ProviderQueryResponse? Query(IReadOnlyList<string> clientRefs)
    {
        foreach (var clientRef in clientRefs)
        {
            _queries.AddOrUpdate(clientRef, 1, (_, n) => n + 1);
        }

        if (QueriesDown)
        {
            return null;
        }

        var found = clientRefs.Select(r => _views.GetValueOrDefault(r)).OfType<ProviderOrder>().ToList();
        return new ProviderQueryResponse(found, [.. clientRefs.Where(r => !_views.ContainsKey(r))]);
    }

    private static IResult NotFound() => Results.Json(
        new { error = new ProviderError(ProviderErrorCodes.RefNotFound, "no such order", false, null), requestId = "scripted" },
        ProviderJson.Options, statusCode: StatusCodes.Status404NotFound);

    private static IResult Unavailable() => Results.Json(
        new { error = new ProviderError("MAINTENANCE", "queries are down", true, null), requestId = "scripted" },
        ProviderJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>Sends <paramref name="view"/> to the portal as a signed callback (section 4 headers).</summary>
    public async Task<HttpResponseMessage> SendCallbackAsync(HttpClient portal, ProviderOrder view)
    {
        var eventId = Guid.NewGuid().ToString("N");
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { eventId, type = "order.updated", order = view }, ProviderJson.Options);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/callbacks")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.Add(ProviderCallbackHeaders.EventId, eventId);
        request.Headers.Add(ProviderCallbackHeaders.Timestamp, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(ProviderCallbackHeaders.Signature, ContractSignature.V1(Secret, timestamp, body));
        return await portal.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
