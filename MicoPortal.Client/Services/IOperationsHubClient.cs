using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Services;

/// <summary>State of the live connection to <c>/hubs/operations</c>, as shown to the operator.</summary>
public enum LiveConnectionState
{
    Connecting,
    Connected,
    Reconnecting,
    Disconnected,
}

/// <summary>The live feed of the portal: SignalR hub <c>/hubs/operations</c> (docs/api.md section 3).</summary>
public interface IOperationsHubClient
{
    LiveConnectionState State { get; }

    /// <summary>Raised whenever <see cref="State"/> changes.</summary>
    event Action<LiveConnectionState>? StateChanged;

    /// <summary>Hub method <c>OrdersChanged(OrderChange[])</c>: batched status and flag changes.</summary>
    event Action<IReadOnlyList<OrderChange>>? OrdersChanged;

    /// <summary>Hub method <c>MetricsUpdated(MetricsSummary)</c>: about once a second.</summary>
    event Action<MetricsSummary>? MetricsUpdated;

    /// <summary>Hub method <c>IncidentsChanged(IncidentDto[])</c>: incidents opened, updated or resolved.</summary>
    event Action<IReadOnlyList<IncidentDto>>? IncidentsChanged;

    /// <summary>Starts the connection once; later calls do nothing. Never throws: failures retry with backoff.</summary>
    Task StartAsync(CancellationToken cancellationToken = default);
}
