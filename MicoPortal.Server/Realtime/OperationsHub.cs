using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Realtime;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Realtime;

/// <summary>
/// Live status for dashboards at <see cref="OperationsHubContract.Route"/>. Server to client only: what
/// <see cref="IOperationsDashboard"/> lists (order changes, the metrics summary, incidents).
/// </summary>
/// <remarks>
/// A connection lives only while its user does: <see cref="HubSessions"/> closes it when the user is
/// demoted, deleted or re-stamped, and the cookie's expiry closes it too (CloseOnAuthenticationExpiration).
/// </remarks>
[Authorize(Policy = Auth.Policies.Operator)]
public sealed class OperationsHub(HubConnections connections, HubSessions sessions) : Hub<IOperationsDashboard>
{
    public override async Task OnConnectedAsync()
    {
        // The cookie's security stamp is validated only once a minute: a cookie from before a demotion or a
        // deletion may still pass authorization here, so the user is checked now too.
        if (!await sessions.IsCurrentAsync(Context.User, Context.ConnectionAborted))
        {
            Context.Abort();
            return;
        }

        sessions.Add(Context);
        connections.Connected();
        if (connections.ScaleOut)
        {
            // Through the backplane, Clients.All reaches every instance's dashboards; this group is only this instance's.
            await Groups.AddToGroupAsync(Context.ConnectionId, connections.LocalGroup);
        }

        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        // Only a connection that was let in counts (one refused in OnConnectedAsync never did).
        if (sessions.Remove(Context))
        {
            connections.Disconnected();
        }

        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>How many dashboards are listening here; the broadcaster does no work for nobody.</summary>
public sealed class HubConnections(IOptions<RedisOptions> redis)
{
    private int _count;

    /// <summary>A Redis backplane joins several instances: dashboards elsewhere may want this instance's changes.</summary>
    public bool ScaleOut { get; } = redis.Value.Enabled;

    /// <summary>This instance's own dashboards, for what every instance sends alike (the metrics summary).</summary>
    public string LocalGroup { get; } = "instance-" + Guid.NewGuid().ToString("N");

    public int Count => Volatile.Read(ref _count);

    public void Connected() => Interlocked.Increment(ref _count);

    public void Disconnected() => Interlocked.Decrement(ref _count);
}
