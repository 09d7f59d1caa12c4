using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MicoPortal.Tests.Alerts;

/// <summary>A real HTTP endpoint (Kestrel on a free loopback port) that records webhook posts and fails the first few with 500.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;
    private int _calls;

    private WebhookReceiver(WebApplication app, int failFirst)
    {
        _app = app;
        _failuresLeft = failFirst;
    }

    public string Url => _app.Urls.First().TrimEnd('/') + "/hooks/alerts";

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>While true, a post is read and never answered.</summary>
    public volatile bool Hang;

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, failFirst);
        app.MapPost("/hooks/alerts", receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        Interlocked.Increment(ref _calls);
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, request.HttpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Empty;
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }

        Received.Enqueue(new ReceivedWebhook(body.ToArray(), request.ContentType, request.Headers["X-MicoPortal-Timestamp"].ToString(),
            request.Headers["X-MicoPortal-Signature"].ToString()));
        return Results.NoContent();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedWebhook(byte[] Body, string? ContentType, string Timestamp, string Signature);
