using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Shared.Realtime;

/// <summary>The SignalR hub that keeps dashboards live (docs/api.md section 3).</summary>
public static class OperationsHubContract
{
    public const string Route = "/hubs/operations";
}

/// <summary>
/// What the server calls on a dashboard connected to <see cref="OperationsHubContract.Route"/>; the method names are the
/// wire names. Server to client only. A last <see cref="CancellationToken"/> is not sent: SignalR uses it for the send itself.
/// </summary>
public interface IOperationsDashboard
{
    /// <summary>Batched status and flag changes, at most 4 messages a second per client.</summary>
    Task OrdersChanged(OrderChange[] changes, CancellationToken cancellationToken = default);

    /// <summary>The delivery summary, about once a second.</summary>
    Task MetricsUpdated(MetricsSummary summary, CancellationToken cancellationToken = default);

    /// <summary>Incidents opened, updated or resolved.</summary>
    Task IncidentsChanged(IncidentDto[] incidents, CancellationToken cancellationToken = default);
}
