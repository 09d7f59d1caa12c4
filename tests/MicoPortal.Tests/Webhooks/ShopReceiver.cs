using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MicoPortal.Tests.Webhooks;

/// <summary>
/// A shop's webhook endpoint, written from docs/api.md section 9 and judging on its own: a real Kestrel server on
/// a fixed free port (so it can be stopped, refusing connections, and started again at the same address), which
/// checks every request's signature with the secret the portal gave the shop (<see cref="ContractSignature"/>, not
/// the portal's code), takes each event once by its eventId, and records what arrived in arrival order.
/// </summary>
public sealed class ShopReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _secrets = new();
    private readonly Lock _gate = new();
    private readonly List<ReceivedEvent> _accepted = [];
    private readonly HashSet<string> _seen = [];
    private readonly ConcurrentDictionary<string, int> _arrivals = new();
    private WebApplication? _app;

    private ShopReceiver(int port) => Port = port;

    public int Port { get; }

    /// <summary>How the receiver answers a request that verified; null means 204.</summary>
    public Func<ReceivedEvent, int, Task<(int Status, string? RetryAfter)?>>? Answer { get; set; }

    /// <summary>Milliseconds each request takes before it is answered.</summary>
    public int DelayMs { get; set; }

    /// <summary>Never answers (until the portal gives up on the request).</summary>
    public bool Hang { get; set; }

    public int Duplicates { get; private set; }
    public int BadSignatures { get; private set; }
    public int Requests => _arrivals.Values.Sum();

    public string UrlFor(string shop) => $"http://127.0.0.1:{Port}/hooks/{shop}";

    public void SetSecret(string shop, string secret) => _secrets[shop] = secret;

    /// <summary>The events taken (a 2xx answered), first arrival of each, in arrival order.</summary>
    public List<ReceivedEvent> Accepted
    {
        get
        {
            lock (_gate)
            {
                return [.. _accepted];
            }
        }
    }

    /// <summary>Requests that arrived for an event, answered 2xx or not.</summary>
    public int ArrivalsOf(string eventId) => _arrivals.GetValueOrDefault(eventId);

    public static async Task<ShopReceiver> StartAsync()
    {
        var receiver = new ShopReceiver(FreePort());
        await receiver.StartAsync(CancellationToken.None);
        return receiver;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapPost("/hooks/{shop}", HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    /// <summary>Stops listening: the portal's connections are refused until <see cref="StartAsync(CancellationToken)"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(new CancellationToken(canceled: true)); // at once: in-flight requests are cut, as a crash would
            await app.DisposeAsync();
        }
    }

    private async Task<IResult> HandleAsync(string shop, HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }

        if (DelayMs > 0)
        {
            await Task.Delay(DelayMs);
        }

        var timestampHeader = http.Request.Headers["X-MicoPortal-Timestamp"].ToString();
        var signature = http.Request.Headers["X-MicoPortal-Signature"].ToString();
        if (!_secrets.TryGetValue(shop, out var secret) || !long.TryParse(timestampHeader, out var timestamp)
            || ContractSignature.V1(secret, timestamp, body) != signature
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) > 300)
        {
            lock (_gate)
            {
                BadSignatures++;
            }

            return Results.StatusCode(401);
        }

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var received = new ReceivedEvent(
            root.GetProperty("eventId").GetString()!,
            http.Request.Headers["X-MicoPortal-Event-Id"].ToString(),
            shop,
            root.GetProperty("type").GetString()!,
            root.GetProperty("order").GetProperty("id").GetInt64(),
            root.GetProperty("order").GetProperty("status").GetString()!,
            root.GetProperty("sentAt").GetDateTimeOffset(),
            DateTimeOffset.UtcNow,
            root.GetProperty("order").GetRawText());
        var arrival = _arrivals.AddOrUpdate(received.EventId, 1, (_, n) => n + 1);
        if (Answer is { } answer && await answer(received, arrival) is { } custom)
        {
            if (custom.RetryAfter is { } retryAfter)
            {
                http.Response.Headers.RetryAfter = retryAfter;
            }

            return Results.StatusCode(custom.Status);
        }

        lock (_gate)
        {
            if (_seen.Add(received.EventId))
            {
                _accepted.Add(received);
            }
            else
            {
                Duplicates++;
            }
        }

        return Results.NoContent();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>One event as the shop took it: <see cref="HeaderEventId"/> is what the header said, <see cref="EventId"/> the body.</summary>
public sealed record ReceivedEvent(string EventId, string HeaderEventId, string Shop, string Type, long OrderId, string OrderStatus, DateTimeOffset SentAt, DateTimeOffset At, string OrderJson);
