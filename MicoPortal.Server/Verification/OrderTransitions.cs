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
/// <remarks><paramref name="Cause"/>: the span of the call or callback that produced the event, if traced (README, Telemetry).</remarks>
public sealed record OrderWork(Order Order, OrderEvent Event, AttemptKind Kind, CallInfo Call = default, string? ProviderStatus = null, string? Error = null, string? Actor = null, string? Provider = null,
    System.Diagnostics.ActivityContext Cause = default);

/// <summary>
/// An event for <see cref="OrderTransitions.WriteAsync"/>, made into work once its order's row is read. With
/// <paramref name="HeldLease"/> (the lease a sweep claimed the order with) it applies only while the row still
/// carries that lease, and releases it; without (a callback), it applies to the row as it is.
/// </summary>
public readonly record struct PendingEvent(long OrderId, DateTimeOffset? HeldLease, Func<Order, OrderWork> ToWork);

/// <summary>
/// Runs events through <see cref="OrderStateMachine"/>, records an attempt for each, saves them in one
/// transaction and tells the change feed. Every writer of order state (sweeps, callbacks, admin
/// actions) comes through here, so concurrency handling and notifications live in one place.
/// </summary>
public sealed class OrderTransitions(
    VerificationPolicy policy,
    Providers.ProviderCatalog providers,
    TimeProvider time,
    OrderChangeFeed feed,
    MetricsRecorder metrics,
    IOptions<NotificationOptions> notifications,
    Incidents.LateDeliveries lateDeliveries,
    Webhooks.WebhookOutbox webhooks,
    WriteGate writeGate,
    ILogger<OrderTransitions> logger)
{
    private const int MaxConflictRounds = 10;

    /// <summary>
    /// Applies and saves orders tracked by <paramref name="db"/>, with change tracking: the way of the
    /// low-volume writers (operator actions, reconciliation), where it reads best. Orders no sweep has claimed;
    /// the hot path's answers and callbacks go through <see cref="WriteAsync"/>. Returns the transitions saved.
    /// </summary>
    public async Task<IReadOnlyList<(Order Order, Transition Transition)>> ApplyAsync(
        PortalDbContext db, IReadOnlyList<OrderWork> work, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var results = new Results(ReferenceEqualityComparer.Instance);
        foreach (var item in work)
        {
            ApplyOne(item, now, claimed: false, results);
        }

        var staged = new List<object>();
        for (var round = 1; ; round++)
        {
            try
            {
                Stage(db, Records(work, results, now), staged);
                var announced = Announced(results);
                if (round == 1 && announced.Count == 0)
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                else if (round == 1)
                {
                    // A shop's webhook event reads back the attempts just saved (with their ids): one transaction.
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                    await webhooks.WriteAsync(db, announced, now, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
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
                    await ReapplyChangedAsync(db, work, results, now, cancellationToken);
                    Stage(db, Records(work, results, now), staged);
                    await db.SaveChangesAsync(cancellationToken);
                    await webhooks.WriteAsync(db, Announced(results), now, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }

                break;
            }
            catch (DbUpdateConcurrencyException) when (round < MaxConflictRounds)
            {
            }
        }

        await PublishIncidentsAsync(db, results);
        return Published(results, now, work);
    }

    /// <summary>
    /// The hot path's writer (provider answers and callbacks, hundreds a second): in one write transaction it
    /// reads the orders of <paramref name="pending"/> as they are now, turns each event into work on its row,
    /// applies it, and writes orders, attempts, audit entries, notifications and the <paramref name="seen"/>
    /// callback ids with plain statements (<see cref="RowWriter"/>) instead of change tracking, which cost a third
    /// of the portal's CPU. The orders are read under the write lock (SQLite's write transaction; row locks
    /// elsewhere), so no other writer comes between the read and the write and there is nothing to retry.
    /// </summary>
    public async Task<IReadOnlyList<(Order Order, Transition Transition)>> WriteAsync(
        PortalDbContext db, IReadOnlyList<PendingEvent> pending, IReadOnlyList<ProcessedCallback> seen, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var results = new Results(ReferenceEqualityComparer.Instance);
        var work = new List<OrderWork>(pending.Count);
        using (await writeGate.EnterAsync(db.Database, cancellationToken))
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var ids = pending.Select(p => p.OrderId).Distinct().ToList();
            await LockRowsAsync(db, ids, cancellationToken);
            var rows = ids.Count == 0
                ? []
                : await db.Orders.AsNoTracking().Where(o => EF.Parameter(ids).Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
            var loaded = rows.ToDictionary(r => r.Key, r => r.Value.Version);
            foreach (var (orderId, heldLease, toWork) in pending)
            {
                if (!rows.TryGetValue(orderId, out var row))
                {
                    logger.LogWarning("Order {OrderId} does not exist; an event for it is dropped", orderId);
                }
                else if (heldLease is not null && row.LeaseUntil != heldLease)
                {
                    // Our lease ran out and another sweep holds the order now: it is that sweep's.
                    logger.LogInformation("Order {OrderId} changed hands while its provider answer waited; the answer is dropped", orderId);
                }
                else
                {
                    var item = toWork(row);
                    work.Add(item);
                    ApplyOne(item, now, claimed: heldLease is not null, results);
                }
            }

            var records = Records(work, results, now);
            var updates = new List<(Order, object?)>(results.Count);
            foreach (var order in results.Keys)
            {
                updates.Add((order, loaded[order.Id]));
                order.Version = Guid.NewGuid();
            }

            await RowWriter.UpdateAsync(db, updates, cancellationToken);
            await RowWriter.InsertAsync(db, records.Attempts, cancellationToken);
            await webhooks.WriteAsync(db, Announced(results), now, cancellationToken);
            await RowWriter.InsertAsync(db, records.Notifications, cancellationToken);
            await RowWriter.InsertAsync(db, records.AuditEntries, cancellationToken);
            await RowWriter.InsertAsync(db, records.Incidents, cancellationToken);
            await RowWriter.InsertAsync(db, seen, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await PublishIncidentsAsync(db, results);
        return Published(results, now, work);
    }

    /// <summary>
    /// After the commit: the late-delivery incidents saved with these transitions go to alerts and dashboards.
    /// The rows are already saved; a failure here is logged, never turned into a failed write.
    /// </summary>
    private async Task PublishIncidentsAsync(PortalDbContext db, Results results)
    {
        var late = results.Where(r => r.Value.Transition.LateDelivery).Select(r => r.Key.Id).ToList();
        try
        {
            await lateDeliveries.PublishOpenedAsync(db, late, CancellationToken.None);
        }
        catch (Exception ex) when (late.Count > 0)
        {
            logger.LogError(ex, "Late-delivery incidents for orders {OrderIds} were saved but not announced", late);
        }
    }

    /// <summary>The orders whose saved change a shop's webhook announces (none in most batches of the hot path).</summary>
    private static List<Order> Announced(Results results)
    {
        var announced = new List<Order>();
        foreach (var (order, (transition, _)) in results)
        {
            if (Webhooks.WebhookOutbox.Announces(transition.From, order.Status))
            {
                announced.Add(order);
            }
        }

        return announced;
    }

    /// <summary>After the commit: the metrics, the traces and the live change feed hear of what was saved.</summary>
    private List<(Order Order, Transition Transition)> Published(Results results, DateTimeOffset now, IReadOnlyList<OrderWork> work)
    {
        TraceTransitions(results, work);
        var nowMs = Environment.TickCount64;
        foreach (var (order, (transition, attempts)) in results)
        {
            metrics.StatusChanged(order, transition.From);
            // Each provider's success rate: an attempt that delivered, failed, or failed over to the next provider.
            var first = attempts[0];
            if (first.DeliveryAttemptNo < order.AttemptNo && first.Kind != Orders.AttemptKind.RetryDelivery)
            {
                providers.Find(first.Provider)?.Health.RecordAttempt(delivered: false, nowMs);
            }
            else if (transition.From != order.Status && order.Status is OrderStatus.Delivered or OrderStatus.Failed)
            {
                providers.Find(order.Provider)?.Health.RecordAttempt(order.Status == OrderStatus.Delivered, nowMs);
            }
        }

        var changes = results
            .Where(r => r.Value.Transition.Visible)
            .Select(r => new OrderChange(r.Key.Id, r.Key.ExternalId, r.Key.Status, r.Key.Stuck, r.Key.Disputed, now))
            .ToList();
        feed.Publish(changes);
        return results.Select(r => (r.Key, r.Value.Transition)).ToList();
    }

    /// <summary>
    /// Each saved status change as a span with its order's id, child of the span of what caused it (README, Telemetry).
    /// Nothing at all while no tracer listens.
    /// </summary>
    private static void TraceTransitions(Results results, IReadOnlyList<OrderWork> work)
    {
        if (!Telemetry.PortalTelemetry.Source.HasListeners())
        {
            return;
        }

        var causes = new Dictionary<Order, System.Diagnostics.ActivityContext>(ReferenceEqualityComparer.Instance);
        foreach (var item in work)
        {
            causes[item.Order] = item.Cause; // the last event of an order decides its status
        }

        foreach (var (order, (transition, attempts)) in results)
        {
            if (transition.From != order.Status)
            {
                Telemetry.PortalTelemetry.Transition(order.Id, order.AttemptNo, transition.From, order.Status, attempts[^1].Kind.ToString(), causes.GetValueOrDefault(order));
            }
        }
    }

    /// <summary>The outcome of each order's events in a batch, and the attempt row of each event.</summary>
    private sealed class Results(IEqualityComparer<Order> comparer) : Dictionary<Order, (Transition Transition, List<OrderAttempt> Attempts)>(comparer);

    /// <summary>What is saved in the same transaction as the orders.</summary>
    private sealed record Staged(
        List<OrderAttempt> Attempts, List<CustomerNotification> Notifications, List<AuditEntry> AuditEntries, List<Incidents.Incident> Incidents,
        List<OrderResolution> Resolutions);

    /// <summary>Change tracking's way: the records staged by an earlier conflict round are taken back, the new ones added.</summary>
    private static void Stage(PortalDbContext db, Staged records, List<object> staged)
    {
        foreach (var record in staged)
        {
            db.Entry(record).State = EntityState.Detached;
        }

        staged.Clear();
        staged.AddRange(records.Attempts);
        staged.AddRange(records.Notifications);
        staged.AddRange(records.AuditEntries);
        staged.AddRange(records.Incidents);
        staged.AddRange(records.Resolutions);
        db.AddRange(staged);
    }

    /// <summary>
    /// The records that must be saved in the same transaction as the change: each event's attempt row, one
    /// audit entry per order whose status or flags changed and per operator action, the customer
    /// notification (outbox) of a final outcome, and the incident of a late delivery.
    /// </summary>
    private Staged Records(IReadOnlyList<OrderWork> work, Results results, DateTimeOffset now)
    {
        var records = new Staged([], [], [], [], []);
        // Looked up per order below: a batch of 2,000 answers must not scan the work 2,000 times.
        var operatorActions = new Dictionary<Order, OrderWork>(ReferenceEqualityComparer.Instance);
        foreach (var item in work)
        {
            if (item.Actor is not null)
            {
                operatorActions.TryAdd(item.Order, item);
            }
        }

        foreach (var (order, (transition, attempts)) in results)
        {
            records.Attempts.AddRange(attempts);
            if (notifications.Value.Enabled && NotificationOutbox.For(order, transition.From, now) is { } notification)
            {
                records.Notifications.Add(notification);
            }

            if (transition.LateDelivery)
            {
                records.Incidents.Add(Incidents.LateDeliveries.For(order, now));
            }

            var operatorAction = operatorActions.GetValueOrDefault(order);
            if (operatorAction?.Event is ResolvedByPerson resolved && transition.Accepted)
            {
                records.Resolutions.Add(Resolution(order, resolved, now));
            }

            if (!transition.Visible && operatorAction is null)
            {
                continue;
            }

            var action = operatorAction?.Event switch
            {
                ReverifyRequested => AuditActions.OrderReverify,
                RetryDeliveryRequested => AuditActions.OrderRetryDelivery,
                ResolvedByPerson => AuditActions.OrderResolve,
                _ => AuditActions.OrderTransition,
            };
            var flags = (order.Stuck ? " [stuck]" : "") + (order.Disputed ? " [disputed]" : "");
            // The outcome often restates the new status ("delivered: ..."), so it goes in brackets, not after a colon.
            var details = $"{order.ClientRef} {transition.From} → {order.Status}{flags} ({transition.Outcome})";
            if (operatorAction?.Event is ResolvedByPerson { } settled)
            {
                // The record of a settlement must keep its evidence's fingerprints whatever the length of the texts
                // (details are capped): digests of the evidence and of the file first, the words after.
                details = $"{order.ClientRef} {transition.From} → {order.Status}{flags}"
                    + (settled.Evidence is null ? "" : $"; evidence sha256 {Digest(System.Text.Encoding.UTF8.GetBytes(settled.Evidence))}")
                    + (settled.File is null ? "" : $"; file {settled.File.FileName} sha256 {Digest(settled.File.Content)}")
                    + $" ({transition.Outcome})"
                    + (settled.Evidence is null ? "" : $"; evidence: {settled.Evidence}");
            }

            records.AuditEntries.Add(AuditTrail.New(operatorAction?.Actor, action, details, order.Id, now));
        }

        return records;
    }

    private static string Digest(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));

    /// <summary>The record of a person's settlement: who, why, the evidence (and its file), for the attempt it settled.</summary>
    private static OrderResolution Resolution(Order order, ResolvedByPerson resolved, DateTimeOffset now) => new()
    {
        OrderId = order.Id,
        DeliveryAttemptNo = order.AttemptNo,
        Outcome = resolved.Outcome,
        Reason = resolved.Reason,
        Evidence = resolved.Evidence,
        EvidenceFileName = resolved.File?.FileName,
        EvidenceContentType = resolved.File?.ContentType,
        EvidenceFile = resolved.File?.Content,
        EvidenceFileBytes = resolved.File?.Content.LongLength,
        ResolvedBy = resolved.By,
        ResolvedAt = now,
    };

    private async Task ReapplyChangedAsync(PortalDbContext db, IReadOnlyList<OrderWork> work,
        Results results, DateTimeOffset now, CancellationToken cancellationToken)
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

            // Its events are applied again to the row as reloaded; the attempts staged for them go with the next staging.
            results.Remove(order);
            await entry.ReloadAsync(cancellationToken);
            if (entry.State == EntityState.Detached)
            {
                logger.LogInformation("Order {OrderId} was deleted while being processed; this result is dropped", order.Id);
                continue;
            }

            foreach (var item in work.Where(w => ReferenceEquals(w.Order, order)))
            {
                ApplyOne(item, now, claimed: false, results);
            }
        }
    }

    /// <summary>
    /// SQLite's write transaction already holds the database's one write lock. On SQL Server and
    /// PostgreSQL a transaction locks only what it writes, so the rows are locked here, before they
    /// are reloaded, and no other instance's writer slips in between the reload and the save.
    /// Ids are our own longs, written inline, asked for in id order (PostgreSQL locks in that order, SQL
    /// Server's plan usually does), so two batches wait for each other instead of deadlocking.
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

    private void ApplyOne(OrderWork item, DateTimeOffset now, bool claimed, Results results)
    {
        var order = item.Order;
        // The attempt row belongs to the attempt the event was about: failover starts a new one in Apply.
        var (attemptNo, provider) = (order.AttemptNo, item.Provider ?? order.Provider);
        var transition = OrderStateMachine.Apply(order, item.Event, now, policy);
        if (item.Event is SlaPassed && !transition.Accepted)
        {
            // The order became final, or another sweep flagged it, since it was picked: nothing to record or rewrite.
            return;
        }

        if (item.Event is RetryDeliveryRequested)
        {
            // A person's retry is the first step of the new attempt.
            (attemptNo, provider) = (order.AttemptNo, null);
        }

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
            DeliveryAttemptNo = attemptNo,
            Provider = provider,
            Kind = item.Kind,
            At = now,
            HttpStatus = item.Call.HttpStatus,
            ProviderStatus = item.ProviderStatus,
            Outcome = Truncate(transition.Outcome, 300)!,
            LatencyMs = item.Call.LatencyMs,
            Error = Truncate(item.Error, 500),
            Actor = item.Actor,
        };
        if (results.TryGetValue(order, out var existing))
        {
            // Several events for one order in one batch: the first status and the merged visibility count.
            existing.Attempts.Add(attempt);
            results[order] = (existing.Transition with
            {
                To = transition.To,
                Visible = existing.Transition.Visible || transition.Visible,
                LateDelivery = existing.Transition.LateDelivery || transition.LateDelivery,
                Outcome = transition.Outcome,
            }, existing.Attempts);
        }
        else
        {
            results[order] = (transition, [attempt]);
        }
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
