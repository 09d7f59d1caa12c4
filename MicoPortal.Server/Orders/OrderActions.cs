using Hangfire;
using MicoPortal.Server.Data;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Orders;

public enum ActionOutcome
{
    Accepted,
    NotFound,
    NotAllowed,
}

public sealed record ActionResult(ActionOutcome Outcome, string Message, Order? Order = null);

/// <summary>
/// Admin actions on orders. The request is written to the order first (so it survives a restart),
/// then a verify job is enqueued as the fast path.
/// </summary>
public sealed class OrderActions(
    IDbContextFactory<PortalDbContext> dbFactory,
    OrderTransitions transitions,
    IBackgroundJobClient jobs,
    Incidents.LateDeliveries lateDeliveries,
    Realtime.OrderChangeFeed feed,
    TimeProvider time)
{
    public const int MaxBulkOrders = 10_000;
    private const int Chunk = 500;

    public async Task<ActionResult> ReverifyAsync(long id, string? by, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null)
        {
            return new ActionResult(ActionOutcome.NotFound, $"Order {id} was not found.");
        }

        await transitions.ApplyAsync(db, [new OrderWork(order, new ReverifyRequested(by), AttemptKind.Reverify, Actor: by)], cancellationToken);
        EnqueueVerify();
        return new ActionResult(ActionOutcome.Accepted, "Re-verification queued.", order);
    }

    public async Task<ActionResult> RetryDeliveryAsync(long id, string? by, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null)
        {
            return new ActionResult(ActionOutcome.NotFound, $"Order {id} was not found.");
        }

        if (!order.Status.AllowsRetryDelivery())
        {
            return new ActionResult(ActionOutcome.NotAllowed, $"Order {id} is {order.Status}; only Failed orders can be retried.", order);
        }

        var saved = await transitions.ApplyAsync(db, [new OrderWork(order, new RetryDeliveryRequested(by), AttemptKind.RetryDelivery, Actor: by)], cancellationToken);
        // Refused by the state machine (a late-delivery watch), or a concurrent writer moved the order out of Failed.
        return saved.Count == 1 && saved[0].Transition.Accepted
            ? new ActionResult(ActionOutcome.Accepted, $"New delivery attempt {order.ClientRef} queued.", order)
            : new ActionResult(ActionOutcome.NotAllowed, saved.Count == 1 ? saved[0].Transition.Outcome : $"Order {id} is {order.Status}; only Failed orders can be retried.", order);
    }

    /// <summary>
    /// A person settles an order (docs/api.md section 10). The state machine decides whether it may be settled; the
    /// resolution record, audit entry and status change are saved together. A late-delivery incident of the order
    /// resolves with it: the person has now seen the provider's late SUCCESS.
    /// </summary>
    public async Task<ActionResult> ResolveAsync(long id, ResolvedByPerson resolution, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null)
        {
            return new ActionResult(ActionOutcome.NotFound, $"Order {id} was not found.");
        }

        if (!order.IsResolvable)
        {
            return new ActionResult(ActionOutcome.NotAllowed, NotResolvable(order), order);
        }

        // Closed in the same save as the settlement: an open incident left behind would collide with the next late
        // delivery of this order (one open incident per order).
        var incident = await Incidents.LateDeliveries.ResolveAsync(db, id, time.GetUtcNow(), cancellationToken);
        var saved = await transitions.ApplyAsync(db, [new OrderWork(order, resolution, AttemptKind.Resolve, Actor: resolution.By)], cancellationToken);
        if (saved.Count != 1 || !saved[0].Transition.Accepted)
        {
            // Another writer settled or delivered the order between our read and our save.
            return new ActionResult(ActionOutcome.NotAllowed, NotResolvable(order), order);
        }

        if (incident is not null)
        {
            await lateDeliveries.PublishAsync([incident], Incidents.IncidentChange.Resolved, cancellationToken);
        }

        return new ActionResult(ActionOutcome.Accepted, $"Order {id} settled as {resolution.Outcome}.", order);
    }

    private static string NotResolvable(Order order) =>
        $"Order {order.Id} is {order.Status}{(order.Stuck ? ", stuck" : "")}{(order.Disputed ? ", disputed" : "")}; only Unknown, stuck or disputed orders can be settled by hand.";

    /// <summary>An operator's note on an order: saved with its audit entry; open order pages hear of it.</summary>
    public async Task<OrderNote?> AddNoteAsync(long id, string text, string author, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var order = await db.Orders.AsNoTracking().Where(o => o.Id == id)
            .Select(o => new { o.Id, o.ExternalId, o.Status, o.Stuck, o.Disputed }).FirstOrDefaultAsync(cancellationToken);
        if (order is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var note = new OrderNote { OrderId = id, Author = author, Text = text, At = now };
        db.OrderNotes.Add(note);
        db.AuditEntries.Add(Audit.AuditTrail.New(author, MicoPortal.Shared.Audit.AuditActions.OrderNote, text, id, now));
        await db.SaveChangesAsync(cancellationToken);
        feed.Publish([new OrderChange(order.Id, order.ExternalId, order.Status, order.Stuck, order.Disputed, now)]);
        return note;
    }

    /// <summary>Re-verifies the given ids, or every order matching status/stuck (at most <see cref="MaxBulkOrders"/>). Returns how many were queued.</summary>
    public async Task<int> ReverifyManyAsync(ReverifyOrdersRequest request, string? by, CancellationToken cancellationToken)
    {
        List<long> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var query = db.Orders.AsNoTracking();
            if (request.Ids is { Count: > 0 } given)
            {
                var wanted = given.Distinct().Take(MaxBulkOrders).ToList();
                query = query.Where(o => wanted.Contains(o.Id));
            }
            else
            {
                if (request.Status is { } status)
                {
                    query = query.Where(o => o.Status == status);
                }

                if (request.Stuck is { } stuck)
                {
                    query = stuck ? query.Where(o => o.Stuck) : query.Where(o => !o.Stuck);
                }
            }

            ids = await query.OrderBy(o => o.Id).Select(o => o.Id).Take(MaxBulkOrders).ToListAsync(cancellationToken);
        }

        foreach (var chunk in ids.Chunk(Chunk))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var orders = await db.Orders.Where(o => chunk.Contains(o.Id)).ToListAsync(cancellationToken);
            await transitions.ApplyAsync(db, [.. orders.Select(o => new OrderWork(o, new ReverifyRequested(by), AttemptKind.Reverify, Actor: by))], cancellationToken);
        }

        if (ids.Count > 0)
        {
            EnqueueVerify();
        }

        return ids.Count;
    }

    private void EnqueueVerify() => jobs.Enqueue<SweepJobs>(j => j.VerifyAsync(CancellationToken.None));
}
