using System.Collections.Concurrent;
using MicoPortal.Server.Alerts;
using MicoPortal.Server.Incidents;
using MicoPortal.Shared.Incidents;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MicoPortal.Tests.Alerts;

/// <summary>Incidents and alerts as the monitor would hand them over.</summary>
public static class Alerting
{
    public static IncidentDto Incident(long id, IncidentSeverity severity = IncidentSeverity.Critical, string metric = IncidentMetrics.SuccessRate,
        string sku = "MICO-COINS-100", string region = "MENA", DateTimeOffset? startedAt = null, DateTimeOffset? resolvedAt = null) =>
        new(id, severity, metric, new IncidentSlice(sku, region), startedAt ?? new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), resolvedAt,
            new IncidentEvidence(0.4, 0.98, -9.5, 120, "success rate 40.0 % against 98.0 % over 120 orders"));

    public static IncidentAlert Alert(IncidentDto incident, IncidentChange change, DateTimeOffset at) => new(incident, change, at);

    /// <summary>A started dispatcher over the given channels; stopped on dispose.</summary>
    public static async Task<RunningDispatcher> StartAsync(AlertOptions options, TimeProvider time, params IAlertChannel[] channels)
    {
        var dispatcher = new AlertDispatcher(channels, Options.Create(options), time, NullLogger<AlertDispatcher>.Instance);
        await dispatcher.StartAsync(CancellationToken.None);
        return new RunningDispatcher(dispatcher);
    }
}

public sealed class RunningDispatcher(AlertDispatcher dispatcher) : IAsyncDisposable
{
    public AlertDispatcher Dispatcher => dispatcher;

    public async ValueTask DisposeAsync()
    {
        await dispatcher.StopAsync(CancellationToken.None);
        dispatcher.Dispose();
    }
}

/// <summary>A channel that records what reaches it, and fails the first <see cref="FailFirst"/> tries (or all of them).</summary>
public sealed class RecordingChannel(string name, TimeProvider? time = null) : IAlertChannel
{
    private int _tries;

    public string Name => name;

    public int FailFirst { get; init; }

    public ConcurrentQueue<IncidentAlert> Sent { get; } = new();

    public int Tries => Volatile.Read(ref _tries);

    /// <summary>When each try came, on the channel's clock.</summary>
    public ConcurrentQueue<DateTimeOffset> TriedAt { get; } = new();

    public Task SendAsync(IncidentAlert alert, CancellationToken cancellationToken)
    {
        TriedAt.Enqueue((time ?? TimeProvider.System).GetUtcNow());
        if (Interlocked.Increment(ref _tries) <= FailFirst)
        {
            throw new HttpRequestException("channel down");
        }

        Sent.Enqueue(alert);
        return Task.CompletedTask;
    }
}

/// <summary>Hands out plain clients, as a named client with no handlers configured would be.</summary>
public sealed class PlainHttpClientFactory : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new();
}
