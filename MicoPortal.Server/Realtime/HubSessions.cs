using System.Collections.Concurrent;
using System.Security.Claims;
using MicoPortal.Server.Auth;
using MicoPortal.Shared.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Realtime;

/// <summary>Section <c>Realtime</c>.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>
    /// How often open dashboard connections are checked against their user (default one minute, as the
    /// auth cookie's security-stamp validation): a user demoted, deleted or otherwise re-stamped since the
    /// connection opened is disconnected within this time.
    /// </summary>
    public TimeSpan SessionCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// A hub connection keeps the principal it opened with for as long as it lives; the cookie's own
/// security-stamp check only runs on HTTP requests. This checks each open connection's user on an interval
/// (and when it connects): one that no longer exists, whose security stamp changed (a role change, a new
/// password, a sign-out everywhere) or who is no longer an operator is disconnected. The client's reconnect
/// then goes through the cookie again.
/// </summary>
public sealed class HubSessions(IServiceScopeFactory scopes, IOptions<IdentityOptions> identity, ILogger<HubSessions> logger)
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new();

    public void Add(HubCallerContext context) => _open[context.ConnectionId] = context;

    /// <summary>False when the connection was never let in (or is gone already).</summary>
    public bool Remove(HubCallerContext context) => _open.TryRemove(context.ConnectionId, out _);

    /// <summary>Checks every open connection once; returns how many were closed.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        if (_open.IsEmpty)
        {
            return 0;
        }

        var closed = 0;
        // One look-up per user and stamp, however many tabs they have open.
        foreach (var group in _open.Values.GroupBy(c => (UserId(c.User), Stamp(c.User))))
        {
            if (await IsCurrentAsync(group.First().User, cancellationToken))
            {
                continue;
            }

            foreach (var context in group)
            {
                logger.LogInformation("Closing dashboard connection {ConnectionId} of {User}: the user was changed or removed", context.ConnectionId, context.User?.Identity?.Name);
                // Removed (and counted off) by the hub's OnDisconnectedAsync.
                context.Abort();
                closed++;
            }
        }

        return closed;
    }

    /// <summary>True while the principal's user exists, has the stamp the principal carries, and is an operator.</summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal? principal, CancellationToken cancellationToken)
    {
        var id = UserId(principal);
        if (id is null)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(id);
        cancellationToken.ThrowIfCancellationRequested();
        if (user is null || !string.Equals(user.SecurityStamp, Stamp(principal), StringComparison.Ordinal))
        {
            return false;
        }

        var roles = await users.GetRolesAsync(user);
        return roles.Contains(Roles.Operations) || roles.Contains(Roles.Admin);
    }

    private string? UserId(ClaimsPrincipal? principal) => principal?.FindFirstValue(identity.Value.ClaimsIdentity.UserIdClaimType);

    private string? Stamp(ClaimsPrincipal? principal) => principal?.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
}

/// <summary>Runs <see cref="HubSessions.CheckAsync"/> every <see cref="RealtimeOptions.SessionCheckInterval"/>.</summary>
public sealed class HubSessionChecker(HubSessions sessions, IOptions<RealtimeOptions> options, TimeProvider time, ILogger<HubSessionChecker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SessionCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await sessions.CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Checking dashboard connections failed; the next round tries again");
            }
        }
    }
}
