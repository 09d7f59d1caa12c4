using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>
/// A batch of orders reserved for one sweep round until <see cref="Lease"/>. A dispatch claim also says which
/// orders it chose a provider for (the others resend their reference where it went before) and how many it
/// looked at in all (orders no provider could take now are not in <see cref="Orders"/>).
/// </summary>
public sealed record ClaimedBatch(IReadOnlyList<Order> Orders, DateTimeOffset Lease, IReadOnlySet<long>? Routed = null, int Considered = 0);

/// <summary>What dispatch decided for one claimed order.</summary>
/// <param name="Provider">Where its create goes now; null: not now.</param>
/// <param name="NoneTakesIt">No provider takes it at all now (paused, down, none serving it), rather than none with a free slot this round.</param>
public readonly record struct RouteChoice(string? Provider, bool NoneTakesIt = false);

/// <summary>How a claimed order goes back to the queue.</summary>
public enum ReleaseKind
{
    /// <summary>Its call was made or abandoned: it is asked about again.</summary>
    CheckAgain,

    /// <summary>Its create was never sent: it waits for dispatch again, for the provider it is stored with.</summary>
    NeverSent,

    /// <summary>Its create was never sent and its provider was chosen by the claim: routing chooses again.</summary>
    NeverSentReroute,
}

/// <summary>
/// Claims due orders from the orders table (the work queue). The claim is one conditional UPDATE,
/// so two sweeps or two servers never hold the same order: the second UPDATE finds the lease taken.
/// SQLite reads the due ids through its named partial index first; SQL Server and PostgreSQL claim
/// in one statement that skips rows locked by another server's claim.
/// </summary>
public sealed class OrderClaims(TimeProvider time, IOptions<VerificationOptions> options, WriteGate writeGate, ILogger<OrderClaims> logger)
{
    /// <summary>Partial index of the dispatch queue: Received orders whose create was never issued.</summary>
    public const string DispatchIndex = "IX_Orders_Dispatch";
    public const string DispatchIndexFilter = "\"Status\" = 'Received' AND \"CreateIssuedAt\" IS NULL";
    public const string WorkQueueIndex = "IX_Orders_NextCheckAt";

    private static readonly System.Linq.Expressions.Expression<Func<Order, bool>> NeedsDispatch =
        o => o.Status == OrderStatus.Received && o.CreateIssuedAt == null;

    private static readonly System.Linq.Expressions.Expression<Func<Order, bool>> NeedsVerification =
        o => o.Status != OrderStatus.Received || o.CreateIssuedAt != null;

    /// <summary>How long a release may take: it runs during shutdown, inside the host's shutdown timeout.</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an order that no provider takes right now (paused, down, none serving it) waits before it is looked
    /// at again: long enough that a queue of them does not crowd out the orders other providers can take.
    /// </summary>
    public static readonly TimeSpan NoProviderWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Received orders never sent for their current attempt. Marks them create-issued and stores the provider
    /// <paramref name="route"/> chose for each, in the claim's transaction, before anything is sent: an order whose
    /// create may have gone out always says where. Orders it finds no provider for are not claimed: they wait
    /// <see cref="NoProviderWait"/> as Received.
    /// </summary>
    public Task<ClaimedBatch> ClaimForDispatchAsync(PortalDbContext db, int size, Func<Order, RouteChoice> route, CancellationToken cancellationToken) =>
        ClaimAsync(db, route, size, cancellationToken);

    /// <summary>Everything else that is due: open orders, settlement checks, re-verifications, creates whose answer was lost.</summary>
    public Task<ClaimedBatch> ClaimForVerifyAsync(PortalDbContext db, int size, CancellationToken cancellationToken) =>
        ClaimAsync(db, route: null, size, cancellationToken);

    /// <summary>
    /// Ids of due orders, oldest due first, read from the queue's own index. The index is named
    /// (SQLite's <c>INDEXED BY</c>) because without statistics the planner prefers the status index
    /// and then sorts every Received order: seconds per claim once a million orders wait.
    /// </summary>
    public static IQueryable<long> DueIds(PortalDbContext db, bool dispatch, DateTimeOffset now, int size) =>
        db.Orders.FromSqlRaw(OrderSql.Of(db).DueFrom(dispatch))
            .Where(o => o.NextCheckAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now))
            .Where(dispatch ? NeedsDispatch : NeedsVerification)
            .OrderBy(o => o.NextCheckAt)
            .Select(o => o.Id)
            .Take(size);

    /// <summary>A dispatch claim (with <paramref name="route"/>) also marks the orders create-issued and routes them, before anything is sent.</summary>
    private async Task<ClaimedBatch> ClaimAsync(PortalDbContext db, Func<Order, RouteChoice>? route, int size, CancellationToken cancellationToken)
    {
        var dispatch = route is not null;
        var filter = dispatch ? NeedsDispatch : NeedsVerification;
        var now = time.GetUtcNow();
        // Whole milliseconds, as stored, so the lease read back compares equal to the one we hold.
        var lease = DateTimeOffset.FromUnixTimeMilliseconds((now + options.Value.Lease).ToUnixTimeMilliseconds());
        if (db.Database.PortalProvider() != DatabaseProvider.Sqlite)
        {
            await using var claimTransaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var claimToken = Guid.NewGuid();
            var claimedIds = await ClaimSkippingLockedAsync(db, dispatch, now, lease, claimToken, size, cancellationToken);
            // Read back by id and lease, not by the claim's token: a callback written since the claim committed
            // renews the token, and the order would be missed while it stays leased (see the SQLite branch).
            var orders = claimedIds.Count == 0 ? [] : await db.Orders.Where(o => claimedIds.Contains(o.Id) && o.LeaseUntil == lease).ToListAsync(cancellationToken);
            var batch = route is null ? new ClaimedBatch(orders, lease) : await RouteAsync(db, orders, route, now, lease, cancellationToken);
            await claimTransaction.CommitAsync(cancellationToken);
            return batch;
        }

        // SQLite has one writer at a time, so the read-then-conditional-UPDATE below cannot interleave
        // with another claim's UPDATE; the read uses the queue's named index.
        var ids = await DueIds(db, dispatch, now, size).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return new ClaimedBatch([], lease);
        }

        var token = Guid.NewGuid();
        // The lease and the read of what it took are one transaction: a write between them (a callback renews an
        // order's token) made the read miss an order it had leased, which then sat untouched until the lease ran
        // out (a minute: the tail of the verify benchmark, an order holding a SUCCESS callback).
        using var turn = await writeGate.EnterAsync(db.Database, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var candidates = db.Orders.Where(o => ids.Contains(o.Id) && o.NextCheckAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now)).Where(filter);
        if (dispatch)
        {
            await candidates.ExecuteUpdateAsync(s => s
                .SetProperty(o => o.LeaseUntil, lease)
                .SetProperty(o => o.Version, token)
                .SetProperty(o => o.CreateIssuedAt, now), cancellationToken);
        }
        else
        {
            await candidates.ExecuteUpdateAsync(s => s
                .SetProperty(o => o.LeaseUntil, lease)
                .SetProperty(o => o.Version, token), cancellationToken);
        }

        var claimed = await db.Orders.Where(o => ids.Contains(o.Id) && o.Version == token).ToListAsync(cancellationToken);
        var routedBatch = route is null ? new ClaimedBatch(claimed, lease) : await RouteAsync(db, claimed, route, now, lease, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return routedBatch;
    }

    /// <summary>
    /// Stores each claimed order's provider (one statement per provider), inside the claim's transaction. Orders
    /// no provider takes now are given back at once, still never sent, to be looked at after <see cref="NoProviderWait"/>;
    /// orders whose provider has no free slot this round are given back as they were (not claimed after all).
    /// </summary>
    private static async Task<ClaimedBatch> RouteAsync(PortalDbContext db, List<Order> claimed, Func<Order, RouteChoice> route,
        DateTimeOffset now, DateTimeOffset lease, CancellationToken cancellationToken)
    {
        var sending = new List<Order>(claimed.Count);
        var routed = new HashSet<long>();
        var noneTakes = new List<long>();
        var notNow = new List<long>();
        foreach (var order in claimed)
        {
            var choice = route(order);
            if (choice.Provider is null)
            {
                (choice.NoneTakesIt ? noneTakes : notNow).Add(order.Id);
                continue;
            }

            if (order.Provider is null)
            {
                routed.Add(order.Id);
            }

            order.Provider = choice.Provider;
            sending.Add(order);
        }

        foreach (var group in sending.Where(o => routed.Contains(o.Id)).GroupBy(o => o.Provider!))
        {
            var ids = group.Select(o => o.Id).ToList();
            await db.Orders.Where(o => ids.Contains(o.Id)).ExecuteUpdateAsync(s => s.SetProperty(o => o.Provider, group.Key), cancellationToken);
        }

        foreach (var (ids, nextCheck) in new[] { (noneTakes, (DateTimeOffset?)(now + NoProviderWait)), (notNow, null) })
        {
            if (ids.Count == 0)
            {
                continue;
            }

            var back = db.Orders.Where(o => ids.Contains(o.Id));
            await (nextCheck is { } later
                ? back.ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(o => o.CreateIssuedAt, (DateTimeOffset?)null)
                    .SetProperty(o => o.NextCheckAt, later), cancellationToken)
                : back.ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(o => o.CreateIssuedAt, (DateTimeOffset?)null), cancellationToken));
        }

        return new ClaimedBatch(sending, lease, routed, claimed.Count);
    }

    /// <summary>
    /// SQL Server and PostgreSQL: select and lease in one statement, skipping rows another instance's
    /// claim has locked, so concurrent sweeps on several servers take different batches instead of
    /// queueing behind one another (PostgreSQL <c>FOR UPDATE SKIP LOCKED</c>, SQL Server
    /// <c>UPDLOCK, READPAST, ROWLOCK</c>). The due conditions are re-checked on the locked row, so an
    /// order leased meanwhile is never taken twice. Returns the ids leased with <paramref name="token"/>.
    /// </summary>
    private static async Task<List<long>> ClaimSkippingLockedAsync(PortalDbContext db, bool dispatch,
        DateTimeOffset now, DateTimeOffset lease, Guid token, int size, CancellationToken cancellationToken)
    {
        // Built once per model, names from the model (Data/OrderSql.cs).
        var sql = OrderSql.Of(db).Claim(dispatch);

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            // Inside the claim's transaction (SqlClient refuses a command outside the connection's open transaction).
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            // Times as stored: unix milliseconds (PortalDbContext's DateTimeOffset conversion).
            AddParameter(command, "@now", now.ToUnixTimeMilliseconds());
            AddParameter(command, "@lease", lease.ToUnixTimeMilliseconds());
            AddParameter(command, "@token", token);
            AddParameter(command, "@size", size);
            var ids = new List<long>(size);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }

            return ids;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void AddParameter(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// Gives claimed orders back to the queue at once (the lease is cleared only where it is still
    /// <paramref name="lease"/>, so an order another sweep took over is left alone); <paramref name="kind"/> says
    /// whether its create was sent and whether routing chooses its provider again. Never throws: a release that
    /// fails only means the lease expires instead.
    /// Uses its own context and a short timeout of its own, because the caller's token is usually the
    /// cancelled shutdown token and its context may be broken by the failure that got us here.
    /// </summary>
    public async Task ReleaseAsync(IDbContextFactory<PortalDbContext> dbFactory, IReadOnlyCollection<long> ids, DateTimeOffset lease, ReleaseKind kind)
    {
        try
        {
            using var timeout = new CancellationTokenSource(ReleaseTimeout);
            await using var db = await dbFactory.CreateDbContextAsync(timeout.Token);
            var held = db.Orders.Where(o => ids.Contains(o.Id) && o.LeaseUntil == lease);
            var token = Guid.NewGuid();
            using var turn = await writeGate.EnterAsync(db.Database, timeout.Token);
            var released = kind switch
            {
                ReleaseKind.NeverSentReroute => await held.ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(o => o.CreateIssuedAt, (DateTimeOffset?)null)
                    .SetProperty(o => o.Provider, (string?)null)
                    .SetProperty(o => o.Version, token), timeout.Token),
                ReleaseKind.NeverSent => await held.ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(o => o.CreateIssuedAt, (DateTimeOffset?)null)
                    .SetProperty(o => o.Version, token), timeout.Token),
                _ => await held.ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(o => o.Version, token), timeout.Token),
            };
            logger.LogInformation("Released {Released} of {Claimed} claimed orders ({Kind})", released, ids.Count, kind);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not release {Claimed} claimed orders; their lease expires at {Lease}", ids.Count, lease);
        }
    }
}
