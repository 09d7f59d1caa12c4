using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Verification;

/// <summary>
/// Flags orders that are not final past their SLA, through the state machine like every other change of an
/// order's flags (<see cref="SlaPassed"/>), and forgets old callback event ids.
/// </summary>
public sealed class StuckSweep(IDbContextFactory<PortalDbContext> dbFactory, OrderTransitions transitions, WriteGate writeGate, TimeProvider time)
{
    private static readonly TimeSpan CallbackMemory = TimeSpan.FromDays(2);

    /// <summary>Most orders flagged in a round; the longest overdue go first when more breach at once.</summary>
    private const int RoundLimit = 10_000;

    /// <summary>Orders written per transaction, so a mass breach does not hold the write lock for long.</summary>
    private const int WriteBatch = 1_000;

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var due = await db.Orders.AsNoTracking()
            .Where(o => !o.Stuck && o.DueBy < now
                && (o.Status == OrderStatus.Received || o.Status == OrderStatus.Submitted || o.Status == OrderStatus.Unknown))
            .OrderBy(o => o.DueBy)
            .Select(o => o.Id)
            .Take(RoundLimit)
            .ToListAsync(cancellationToken);
        var flagged = 0;
        foreach (var batch in due.Chunk(WriteBatch))
        {
            // Not claimed (no lease held): the state machine reads each order as it is inside the write, and one that
            // became final meanwhile is left alone.
            var saved = await transitions.WriteAsync(db, [.. batch.Select(id => new PendingEvent(id, null, order => new OrderWork(order, new SlaPassed(), AttemptKind.Sla)))],
                [], cancellationToken);
            flagged += saved.Count(s => s.Transition.Accepted);
        }

        var forgetBefore = now - CallbackMemory;
        await writeGate.WriteAsync(db.Database, () => db.ProcessedCallbacks.Where(c => c.ReceivedAt < forgetBefore).ExecuteDeleteAsync(cancellationToken), cancellationToken);
        return flagged;
    }
}
