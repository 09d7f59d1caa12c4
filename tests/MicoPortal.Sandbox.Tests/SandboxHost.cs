using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Providers.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MicoPortal.Sandbox.Tests;

/// <summary>A callback the test receiver got, with the raw bytes the signature covers.</summary>
public sealed record ReceivedCallback(string? EventId, long Timestamp, string? Signature, byte[] Body, ProviderCallback Callback);

/// <summary>
/// A tiny real server on a free port: the sandbox plus a callback receiver, with a fake clock so
/// scenario timing is instant and deterministic.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    public const string ApiKey = "test-provider-key";
    public const string Secret = "test-callback-secret";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedCallback> _callbacks = new();

    private SandboxHost(WebApplication app, FakeTimeProvider time, string baseUrl)
    {
        _app = app;
        Time = time;
        BaseUrl = baseUrl;
        Ledger = app.Services.GetRequiredService<SandboxLedger>();
        Instances = app.Services.GetRequiredService<SandboxInstances>();
        Client = NewClient(TimeSpan.FromSeconds(10));
    }

    public FakeTimeProvider Time { get; }

    public string BaseUrl { get; }

    public string CallbackUrl => BaseUrl + "/callbacks";

    public SandboxLedger Ledger { get; }

    public SandboxInstances Instances { get; }

    /// <summary>Client for <c>/sandbox/provider/v1/</c> with the right Bearer key.</summary>
    public HttpClient Client { get; }

    public IReadOnlyCollection<ReceivedCallback> Callbacks => _callbacks;

    public static async Task<SandboxHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var config = new Dictionary<string, string?>
        {
            ["Sandbox:ApiKey"] = ApiKey,
            ["Sandbox:CallbackSecret"] = Secret,
            ["Sandbox:LatencyMs"] = "0",
            ["Sandbox:LatencyJitterMs"] = "0",
        };
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSandboxProvider(builder.Configuration);

        var app = builder.Build();
        app.MapSandboxProvider();

        SandboxHost? host = null;
        app.MapPost("/callbacks", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var callback = JsonSerializer.Deserialize<ProviderCallback>(body, ProviderJson.Options)!;
            host!._callbacks.Enqueue(new ReceivedCallback(
                request.Headers[ProviderCallbackHeaders.EventId],
                long.Parse(request.Headers[ProviderCallbackHeaders.Timestamp].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                request.Headers[ProviderCallbackHeaders.Signature],
                body,
                callback));
            return Results.NoContent();
        });

        await app.StartAsync();
        host = new SandboxHost(app, time, app.Urls.First().TrimEnd('/'));
        return host;
    }

    public HttpClient NewClient(TimeSpan timeout, string? apiKey = ApiKey, string instance = SandboxInstances.DefaultName)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl + SandboxInstances.BasePathOf(instance) + "/v1/"), Timeout = timeout };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public static string NewRef() => "T-" + Guid.NewGuid().ToString("N");

    public ProviderCreateOrderRequest Order(string clientRef, string userId, int quantity = 100, bool withCallback = true) =>
        new(clientRef, "coins-100", new ProviderAccount(userId, "GLOBAL"), quantity, new ProviderMoney("4.99", "USD"), withCallback ? CallbackUrl : null);

    public Task<HttpResponseMessage> CreateAsync(ProviderCreateOrderRequest order) =>
        Client.PostAsJsonAsync("orders", order, ProviderJson.Options);

    public Task<HttpResponseMessage> GetAsync(string clientRef) => Client.GetAsync("orders/" + Uri.EscapeDataString(clientRef));

    public Task<HttpResponseMessage> QueryAsync(params string[] clientRefs) =>
        Client.PostAsJsonAsync("orders/query", new ProviderQueryRequest(clientRefs), ProviderJson.Options);

    /// <summary>Waits (real time; the sender polls every 200 ms) until this many callbacks for the ref arrived.</summary>
    public async Task<IReadOnlyList<ReceivedCallback>> WaitForCallbacksAsync(string clientRef, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var received = _callbacks.Where(c => c.Callback.Order.ClientRef == clientRef).ToList();
            if (received.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(received.Count >= count, $"expected {count} callbacks for {clientRef}, got {received.Count}");
                return received;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until the callback dispatcher has polled twice more (so it has seen every change made before this call)
    /// and has finished everything it planned for these refs: then the callbacks received are all that will come.
    /// Lets a test assert that a callback is absent without sleeping; the deadline only guards against a hang.
    /// </summary>
    public async Task CallbacksSettledAsync(params string[] clientRefs)
    {
        var polls = Ledger.CallbackPolls;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Ledger.CallbackPolls < polls + 2 || !clientRefs.All(r => Ledger.CallbackProgress(r).Quiet))
        {
            Assert.True(DateTime.UtcNow < deadline, "the callback dispatcher should settle: " +
                string.Join(", ", clientRefs.Select(r => $"{r} {Ledger.CallbackProgress(r)}")) + $", polls {Ledger.CallbackPolls - polls}");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls a condition every 20 ms until it holds or 30 s pass (a hang guard, not a timing assertion).</summary>
    public static async Task<bool> PollUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public static class HttpExtensions
{
    public static async Task<ProviderOrder> OrderAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProviderOrder>(ProviderJson.Options))!;

    public static async Task<ProviderError> ErrorAsync(this HttpResponseMessage response)
    {
        var body = (await response.Content.ReadFromJsonAsync<ProviderErrorResponse>(ProviderJson.Options))!;
        Assert.False(string.IsNullOrEmpty(body.RequestId));
        return body.Error;
    }
}
