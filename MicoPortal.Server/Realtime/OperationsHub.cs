using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace MicoPortal.Server.Realtime;

/// <summary>
/// Live status for dashboards at <c>/hubs/operations</c>. Server to client only:
/// <c>OrdersChanged(OrderChange[])</c>, batched, and <c>MetricsUpdated(MetricsSummary)</c> about once a second.
/// </summary>
[Authorize(Policy = Auth.Policies.Operator)]
public sealed class OperationsHub(HubConnections connections) : Hub
{
    public const string Route = "/hubs/operations";
    public const string OrdersChanged = "OrdersChanged";
    public const string MetricsUpdated = "MetricsUpdated";

    public override Task OnConnectedAsync()
    {
        connections.Connected();
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Disconnected();
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>How many dashboards are listening here; the broadcaster does no work for nobody.</summary>
public sealed class HubConnections
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Connected() => Interlocked.Increment(ref _count);

    public void Disconnected() => Interlocked.Decrement(ref _count);
}
