using MicoPortal.Server.Audit;
using MicoPortal.Server.Data;
using MicoPortal.Server.Metrics;
using MicoPortal.Server.Notifications;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Realtime;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>One event for one tracked order, with the facts of the call that produced it.</summary>
public sealed record OrderWork(Order Order, OrderEvent Event, AttemptKind Kind, CallInfo Call = default, string? ProviderStatus = null, string? Error = null, string? Actor = null);

/// <summary>
/// Runs events through <see cref="OrderStateMachine"/>, records an attempt for each, saves them in one
/// transaction and tells the change feed. Every writer of order state (sweeps, callbacks, admin
/// actions) comes through here, so concurrency handling and notifications live in one place.
/// </summary>
public sealed class OrderTransitions(
    VerificationPolicy policy,
    TimeProvider time,
    OrderChangeFeed feed,
    MetricsRecorder metrics,
    IOptions<NotificationOptions> notifications,
    ILogger<OrderTransitions> logger)
{
    private const int MaxConflictRounds = 10;

    /// <summary>
    /// Applies and saves. With <paramref name="claimed"/>, the orders were claimed by a sweep and carry
    /// the lease it holds (tracked with it as their original value): the lease is released, and an order
    /// whose lease was taken over meanwhile is left alone. Returns the transitions that were saved.
    /// </summary>
    public async Task<IReadOnlyList<(Order Order, Transition Transition)>> ApplyAsync(
        PortalDbContext db, IReadOnlyList<OrderWork> work, bool claimed, CancellationToken cancellationToken, Action<PortalDbContext>? alsoSave = null)
    {
        var now = time.GetUtcNow();
        var results = new Dictionary<Order, (Transition Transition, List<OrderAttempt> Attempts)>(ReferenceEqualityComparer.Instance);
        foreach (var item in work)
        {
            ApplyOne(db, item, now, claimed, results);
        }

        alsoSave?.Invoke(db);
        var staged = new List<object>();
        for (var round = 1; ; round++)
        {
            try
            {
                StageRecords(db, work, results, now, staged);
                if (round == 1)
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                else
                {
                    // Someone else wrote some of these orders meanwhile (a callback, an admin, the stuck
                    // sweep). Find every one that changed in one query, reload it and apply our events again,
                    // inside a write transaction (SQLite: BEGIN IMMEDIATE, the database's one write lock; elsewhere
                    // the rows are locked first, see LockRowsAsync) so no
                    // writer slips in between the reload and the save. Optimistic retries alone lost ten rounds
                    // in a row in the 10,000-order chaos run: callbacks keep arriving for a 500-order batch.
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    await ReapplyChangedAsync(db, work, results, now, claimed, cancellationToken);
                    StageRecords(db, work, results, now, staged);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }

                break;
            }
            catch (DbUpdateConcurrencyException) when (round < MaxConflictRounds)
            {
            }
        }

        foreach (var (order, (transition, _)) in results)
        {
            metrics.StatusChanged(order, transition.From);
        }

        var changes = results
            .Where(r => r.Value.Transition.Visible)
            .Select(r => new OrderChange(r.Key.Id, r.Key.ExternalId, r.Key.Status, r.Key.Stuck, r.Key.Disputed, now))
            .ToList();
        feed.Publish(changes);
        return results.Select(r => (r.Key, r.Value.Transition)).ToList();
    }

    /// <summary>
    /// The records that must be saved in the same transaction as the change: one audit entry per order
    /// whose status or flags changed and per operator action, and the customer notification (outbox) of
    /// a final outcome. Staged again after a conflict round re-applied the events.
    /// </summary>
    private void StageRecords(PortalDbContext db, IReadOnlyList<OrderWork> work,
        Dictionary<Order, (Transition Transition, List<OrderAttempt> Attempts)> results, DateTimeOffset now, List<object> staged)
    {
        foreach (var record in staged)
        {
            db.Entry(record).State = EntityState.Detached;
        }

        staged.Clear();
        foreach (var (order, (transition, _)) in results)
        {
            if (notifications.Value.Enabled && NotificationOutbox.Stage(db, order, transition.From, now) is { } notification)
            {
                staged.Add(notification);
            }

            var operatorAction = work.FirstOrDefault(w => ReferenceEquals(w.Order, order) && w.Actor is not null);
            if (!transition.Visible && operatorAction is null)
            {
                continue;
            }

            var action = operatorAction?.Event switch
            {
                ReverifyRequested => AuditActions.OrderReverify,
                RetryDeliveryRequested => AuditActions.OrderRetryDelivery,
                _ => AuditActions.OrderTransition,
            };
            var flags = (order.Stuck ? " [stuck]" : "") + (order.Disputed ? " [disputed]" : "");
            // The outcome often restates the new status ("delivered: ..."), so it goes in brackets, not after a colon.
            var details = $"{order.ClientRef} {transition.From} → {order.Status}{flags} ({transition.Outcome})";
            var entry = AuditTrail.New(operatorAction?.Actor, action, details, order.Id, now);
            db.AuditEntries.Add(entry);
            staged.Add(entry);
        }
    }

    private async Task ReapplyChangedAsync(PortalDbContext db, IReadOnlyList<OrderWork> work,
        Dictionary<Order, (Transition Transition, List<OrderAttempt> Attempts)> results, DateTimeOffset now, bool claimed, CancellationToken cancellationToken)
    {
        var tracked = work.Select(w => w.Order).Distinct().ToList();
        var ids = tracked.Select(o => o.Id).ToList();
        await LockRowsAsync(db, ids, cancellationToken);
        var current = await db.Orders.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.Version }).ToDictionaryAsync(o => o.Id, o => o.Version, cancellationToken);
        foreach (var order in tracked)
        {
            var entry = db.Entry(order);
            var loaded = (Guid)entry.OriginalValues[nameof(Order.Version)]!;
            if (current.TryGetValue(order.Id, out var version) && version == loaded)
            {
                continue;
            }

            if (results.Remove(order, out var previous))
            {
                foreach (var attempt in previous.Attempts)
                {
                    db.Entry(attempt).State = EntityState.Detached;
                }
            }

            var heldLease = (DateTimeOffset?)entry.OriginalValues[nameof(Order.LeaseUntil)];
            await entry.ReloadAsync(cancellationToken);
            if (entry.State == EntityState.Detached || (claimed && order.LeaseUntil != heldLease))
            {
                // Deleted, or its lease expired and another sweep took it over: that sweep owns it now.
                logger.LogInformation("Order {OrderId} changed hands while being processed (lease {Held} held, {Current} now); this result is dropped",
                    order.Id, heldLease, entry.State == EntityState.Detached ? null : order.LeaseUntil);
                if (entry.State != EntityState.Detached)
                {
                    entry.State = EntityState.Unchanged;
                }

                continue;
            }

            foreach (var item in work.Where(w => ReferenceEquals(w.Order, order)))
            {
                ApplyOne(db, item, now, claimed, results);
            }
        }
    }

    /// <summary>
    /// SQLite's write transaction already holds the database's one write lock. On SQL Server and
    /// PostgreSQL a transaction locks only what it writes, so the rows are locked here, before they
    /// are reloaded, and no other instance's writer slips in between the reload and the save.
    /// Ids are our own longs, written inline; locked in id order so two batches cannot deadlock on each other.
    /// </summary>
    private static async Task LockRowsAsync(PortalDbContext db, List<long> ids, CancellationToken cancellationToken)
    {
        if (db.Database.PortalProvider() == DatabaseProvider.Sqlite || ids.Count == 0)
        {
            return;
        }

        var list = string.Join(",", ids.Order().Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await db.Database.ExecuteSqlRawAsync(OrderSql.Of(db).LockRows(list), cancellationToken);
    }

    private void ApplyOne(PortalDbContext db, OrderWork item, DateTimeOffset now, bool claimed,
        Dictionary<Order, (Transition Transition, List<OrderAttempt> Attempts)> results)
    {
        var order = item.Order;
        var transition = OrderStateMachine.Apply(order, item.Event, now, policy);
        if (item.Actor is not null)
        {
            order.OperatorActions++;
        }
        if (claimed)
        {
            order.LeaseUntil = null;
        }

        var attempt = new OrderAttempt
        {
            OrderId = order.Id,
            DeliveryAttemptNo = order.AttemptNo,
            Kind = item.Kind,
            At = now,
            HttpStatus = item.Call.HttpStatus,
            ProviderStatus = item.ProviderStatus,
            Outcome = Truncate(transition.Outcome, 300)!,
            LatencyMs = item.Call.LatencyMs,
            Error = Truncate(item.Error, 500),
            Actor = item.Actor,
        };
        db.OrderAttempts.Add(attempt);

        if (results.TryGetValue(order, out var existing))
        {
            // Several events for one order in one batch: the first status and the merged visibility count.
            existing.Attempts.Add(attempt);
            results[order] = (existing.Transition with { To = transition.To, Visible = existing.Transition.Visible || transition.Visible, Outcome = transition.Outcome }, existing.Attempts);
        }
        else
        {
            results[order] = (transition, [attempt]);
        }
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
