using MicoPortal.Client.Services;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="IOperationsHubClient"/> the test drives: it raises pushes and state changes on demand.</summary>
public sealed class FakeOperationsHubClient : IOperationsHubClient
{
    public LiveConnectionState State { get; private set; } = LiveConnectionState.Connected;
    public int StartCalls { get; private set; }

    public event Action<LiveConnectionState>? StateChanged;
    public event Action<IReadOnlyList<OrderChange>>? OrdersChanged;
    public event Action<MetricsSummary>? MetricsUpdated;
    public event Action<IReadOnlyList<IncidentDto>>? IncidentsChanged;

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        StartCalls++;
        return Task.CompletedTask;
    }

    public void SetState(LiveConnectionState state)
    {
        State = state;
        StateChanged?.Invoke(state);
    }

    public void PushOrdersChanged(params OrderChange[] changes) => OrdersChanged?.Invoke(changes);

    public void PushMetrics(MetricsSummary summary) => MetricsUpdated?.Invoke(summary);

    public void PushIncidents(params IncidentDto[] incidents) => IncidentsChanged?.Invoke(incidents);

    public bool HasOrdersChangedSubscribers => OrdersChanged is not null;

    public bool HasMetricsUpdatedSubscribers => MetricsUpdated is not null;
}
