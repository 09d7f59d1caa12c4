using MicoPortal.Server.Audit;
using MicoPortal.Server.Data;
using MicoPortal.Server.Realtime;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Verification;

/// <summary>Flags orders that are not final past their SLA, and forgets old callback event ids.</summary>
public sealed class StuckSweep(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, OrderChangeFeed feed)
{
    private static readonly TimeSpan CallbackMemory = TimeSpan.FromDays(2);

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var newlyStuck = await db.Orders
            .Where(o => !o.Stuck && o.DueBy < now
                && (o.Status == OrderStatus.Received || o.Status == OrderStatus.Submitted || o.Status == OrderStatus.Unknown))
            .OrderBy(o => o.DueBy) // the longest overdue first when more than a round's worth breach at once
            .Select(o => new { o.Id, o.ExternalId, o.Status, o.Disputed })
            .Take(10_000)
            .ToListAsync(cancellationToken);
        if (newlyStuck.Count > 0)
        {
            var ids = newlyStuck.Select(o => o.Id).ToList();
            // Only the flag changes; the order keeps its place in the queue and its lease.
            var token = Guid.NewGuid();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Orders.Where(o => ids.Contains(o.Id) && !o.Stuck)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.Stuck, true)
                    .SetProperty(o => o.UpdatedAt, now)
                    // A new token makes a sweep holding an older copy reload before it saves.
                    .SetProperty(o => o.Version, token), cancellationToken);
            db.AuditEntries.AddRange(newlyStuck.Select(o => AuditTrail.New(null, AuditActions.OrderTransition,
                $"{o.Status} [stuck]: not final past its SLA", o.Id, now)));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            feed.Publish([.. newlyStuck.Select(o => new OrderChange(o.Id, o.ExternalId, o.Status, true, o.Disputed, now))]);
        }

        var forgetBefore = now - CallbackMemory;
        await db.ProcessedCallbacks.Where(c => c.ReceivedAt < forgetBefore).ExecuteDeleteAsync(cancellationToken);
        return newlyStuck.Count;
    }
}
