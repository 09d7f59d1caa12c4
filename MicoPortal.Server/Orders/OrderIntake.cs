using MicoPortal.Server.Data;
using MicoPortal.Server.Metrics;
using MicoPortal.Server.Realtime;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Orders;

public enum IntakeOutcome
{
    Created,
    Existing,
    Conflict,
    Invalid,
}

public sealed record IntakeResult(string? ExternalId, IntakeOutcome Outcome, Order? Order, IDictionary<string, string[]>? Errors = null);

/// <summary>
/// Accepts paid orders from a shop: validation, idempotency by the shop's <c>externalId</c>, one insert
/// transaction per call. New orders are due for dispatch at once.
/// </summary>
public sealed class OrderIntake(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, IOptions<VerificationOptions> verification, OrderChangeFeed feed, MetricsRecorder metrics)
{
    public async Task<IntakeResult> AcceptAsync(CreateOrderRequest? request, string shop, CancellationToken cancellationToken) =>
        (await AcceptManyAsync([request], shop, cancellationToken))[0];

    /// <summary>Results in the order of the requests.</summary>
    public async Task<IReadOnlyList<IntakeResult>> AcceptManyAsync(IReadOnlyList<CreateOrderRequest?> requests, string shop, CancellationToken cancellationToken)
    {
        var results = new IntakeResult?[requests.Count];
        var valid = new List<(int Index, ValidOrder Order)>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var (order, errors) = OrderValidation.Validate(requests[i]);
            if (order is null)
            {
                results[i] = new IntakeResult(requests[i]?.ExternalId, IntakeOutcome.Invalid, null, errors);
            }
            else
            {
                valid.Add((i, order));
            }
        }

        if (valid.Count > 0)
        {
            await InsertAsync(valid, shop, results, cancellationToken);
        }

        return results!;
    }

    private async Task InsertAsync(List<(int Index, ValidOrder Order)> valid, string shop, IntakeResult?[] results, CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var externalIds = valid.Select(v => v.Order.ExternalId).Distinct().ToList();
            var existing = await db.Orders.AsNoTracking()
                .Where(o => externalIds.Contains(o.ExternalId) && o.Shop == shop)
                .ToDictionaryAsync(o => o.ExternalId, StringComparer.Ordinal, cancellationToken);

            var now = time.GetUtcNow();
            var created = new List<(int Index, Order Order)>();
            foreach (var (index, order) in valid)
            {
                if (existing.TryGetValue(order.ExternalId, out var known))
                {
                    results[index] = new IntakeResult(order.ExternalId, order.SameAs(known) ? IntakeOutcome.Existing : IntakeOutcome.Conflict, known);
                    continue;
                }

                var entity = NewOrder(order, shop, now);
                existing[order.ExternalId] = entity; // a repeat within the same batch is then Existing or Conflict
                db.Orders.Add(entity);
                created.Add((index, entity));
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                foreach (var (index, order) in created)
                {
                    results[index] = new IntakeResult(order.ExternalId, IntakeOutcome.Created, order);
                    metrics.OrderReceived(order);
                }

                feed.Publish([.. created.Select(c => new OrderChange(c.Order.Id, c.Order.ExternalId, c.Order.Status, false, false, now))]);

                return;
            }
            catch (DbUpdateException) when (round < 3)
            {
                // Another request inserted one of these external ids meanwhile: look again.
            }
        }
    }

    private Order NewOrder(ValidOrder order, string shop, DateTimeOffset now) => new()
    {
        ExternalId = order.ExternalId,
        MicoUserId = order.MicoUserId,
        Region = order.Region,
        Sku = order.Sku,
        Coins = order.Coins,
        Amount = order.Amount,
        Currency = order.Currency,
        Shop = shop,
        Status = OrderStatus.Received,
        ReceivedAt = now,
        UpdatedAt = now,
        DueBy = now + verification.Value.StuckAfter,
        NextCheckAt = now,
    };
}
