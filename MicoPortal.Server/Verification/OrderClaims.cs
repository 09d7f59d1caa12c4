using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

/// <summary>A batch of orders reserved for one sweep round until <see cref="Lease"/>.</summary>
public sealed record ClaimedBatch(IReadOnlyList<Order> Orders, DateTimeOffset Lease);

/// <summary>
/// Claims due orders from the orders table (the work queue). The claim is one conditional UPDATE,
/// so two sweeps or two servers never hold the same order: the second UPDATE finds the lease taken.
/// </summary>
public sealed class OrderClaims(TimeProvider time, IOptions<VerificationOptions> options)
{
    /// <summary>Received orders never sent for their current attempt. Marks them create-issued before anything is sent.</summary>
    public Task<ClaimedBatch> ClaimForDispatchAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        ClaimAsync(db, o => o.Status == OrderStatus.Received && o.CreateIssuedAt == null, options.Value.DispatchBatchSize, markCreateIssued: true, cancellationToken);

    /// <summary>Everything else that is due: open orders, settlement checks, re-verifications, creates whose answer was lost.</summary>
    public Task<ClaimedBatch> ClaimForVerifyAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        ClaimAsync(db, o => o.Status != OrderStatus.Received || o.CreateIssuedAt != null, options.Value.VerifyBatchSize, markCreateIssued: false, cancellationToken);

    private async Task<ClaimedBatch> ClaimAsync(PortalDbContext db, System.Linq.Expressions.Expression<Func<Order, bool>> filter, int size, bool markCreateIssued, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Whole milliseconds, as stored, so the lease read back compares equal to the one we hold.
        var lease = DateTimeOffset.FromUnixTimeMilliseconds((now + options.Value.Lease).ToUnixTimeMilliseconds());
        var ids = await db.Orders
            .Where(o => o.NextCheckAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now))
            .Where(filter)
            .OrderBy(o => o.NextCheckAt)
            .Select(o => o.Id)
            .Take(size)
            .ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return new ClaimedBatch([], lease);
        }

        var token = Guid.NewGuid();
        var candidates = db.Orders.Where(o => ids.Contains(o.Id) && o.NextCheckAt <= now && (o.LeaseUntil == null || o.LeaseUntil < now)).Where(filter);
        if (markCreateIssued)
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
        return new ClaimedBatch(claimed, lease);
    }
}
