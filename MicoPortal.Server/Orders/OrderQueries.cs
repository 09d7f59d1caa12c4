using MicoPortal.Server.Data;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Orders;

/// <summary>
/// Read side of orders: filtered, paged lists and the full order with its attempts. Every read takes
/// the caller's shop (<see cref="Auth.ShopScope"/>): a shop sees only its own orders, <c>null</c> sees all.
/// </summary>
public sealed class OrderQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>How old the total of the unfiltered list may be.</summary>
    public static readonly TimeSpan AllOrdersCountFor = TimeSpan.FromSeconds(5);

    // Counting every order walks a whole index (about 110 ms at ten million); the grid's total of
    // all orders may be a few seconds old. Filtered totals are always exact.
    private (int Total, DateTimeOffset At)? allOrders;

    public const int MaxPageSize = 500;
    public const int MaxAttemptsShown = 200;

    public async Task<OrderDto?> GetAsync(long id, string? shop, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var order = await Scope(db.Orders.AsNoTracking(), shop).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null)
        {
            return null;
        }

        var attempts = await db.OrderAttempts.AsNoTracking()
            .Where(a => a.OrderId == id)
            .OrderByDescending(a => a.Id)
            .Take(MaxAttemptsShown)
            .ToListAsync(cancellationToken);
        attempts.Reverse();
        var notes = await db.OrderNotes.AsNoTracking().Where(n => n.OrderId == id).OrderBy(n => n.Id).ToListAsync(cancellationToken);
        var resolutions = await WithoutFiles(db.OrderResolutions.Where(r => r.OrderId == id)).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return order.ToDto(attempts, notes, resolutions);
    }

    /// <summary>Resolutions as an order shows them (here and in webhooks): the evidence file stays in the database, only its name and size are read.</summary>
    public static IQueryable<OrderResolution> WithoutFiles(IQueryable<OrderResolution> resolutions) => resolutions.AsNoTracking()
            .Select(r => new OrderResolution
            {
                Id = r.Id,
                OrderId = r.OrderId,
                DeliveryAttemptNo = r.DeliveryAttemptNo,
                Outcome = r.Outcome,
                Reason = r.Reason,
                Evidence = r.Evidence,
                EvidenceFileName = r.EvidenceFileName,
                EvidenceFileBytes = r.EvidenceFileBytes,
                ResolvedBy = r.ResolvedBy,
                ResolvedAt = r.ResolvedAt,
            });

    public async Task<PagedResult<OrderSummaryDto>> ListAsync(OrderListQuery query, string? shop, CancellationToken cancellationToken)
    {
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var filtered = Filter(Scope(db.Orders.AsNoTracking(), shop), query);
        var total = shop is null && IsUnfiltered(query)
            ? await CountAllAsync(filtered, cancellationToken)
            : await filtered.CountAsync(cancellationToken);
        var items = await Sort(filtered, query)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Select(o => new OrderSummaryDto
            {
                Id = o.Id,
                ExternalId = o.ExternalId,
                MicoUserId = o.MicoUserId,
                Region = o.Region,
                Sku = o.Sku,
                Coins = o.Coins,
                Amount = OrderMapping.FormatMoney(o.Amount),
                Currency = o.Currency,
                Status = o.Status,
                Stuck = o.Stuck,
                Disputed = o.Disputed,
                AttemptNo = o.AttemptNo,
                ReasonCode = OrderMapping.ShownReasonCode(o.ReasonCode, o.Disputed),
                ReasonMessage = OrderMapping.ShownReasonMessage(o.ReasonMessage, o.Disputed, o.DisputeReason),
                ReceivedAt = o.ReceivedAt,
                UpdatedAt = o.UpdatedAt,
                CompletedAt = o.CompletedAt,
                LatencyMs = o.LatencyMs,
                Provider = o.Provider,
                ConfirmationCount = (o.ApiConfirmedAt == null ? 0 : 1) + (o.CallbackConfirmedAt == null ? 0 : 1) + (o.LedgerConfirmedAt == null ? 0 : 1) + (o.ManualConfirmedAt == null ? 0 : 1),
            })
            .ToListAsync(cancellationToken);
        return new PagedResult<OrderSummaryDto>(items, total, page, pageSize);
    }

    private async Task<int> CountAllAsync(IQueryable<Order> all, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (allOrders is { } cached && now - cached.At < AllOrdersCountFor)
        {
            return cached.Total;
        }

        var total = await all.CountAsync(cancellationToken);
        allOrders = (total, now);
        return total;
    }

    private static bool IsUnfiltered(OrderListQuery query) =>
        string.IsNullOrWhiteSpace(query.ExternalId) && string.IsNullOrWhiteSpace(query.Q) && query.Status is null && query.Stuck is null
        && query.Disputed is null && query.Attention != true && query.Waiting != true && query.From is null && query.To is null;

    /// <summary>Every order matching the filter, oldest first, streamed (for CSV export).</summary>
    public async IAsyncEnumerable<Order> StreamAsync(OrderListQuery query, string? shop, int limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await foreach (var order in Sort(Filter(Scope(db.Orders.AsNoTracking(), shop), query), query).Take(limit).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return order;
        }
    }

    private static IQueryable<Order> Scope(IQueryable<Order> orders, string? shop) =>
        shop is null ? orders : orders.Where(o => o.Shop == shop);

    public static IQueryable<Order> Filter(IQueryable<Order> orders, OrderListQuery query)
    {
        if (!string.IsNullOrWhiteSpace(query.ExternalId))
        {
            orders = orders.Where(o => o.ExternalId == query.ExternalId);
        }

        if (query.Status is { } status)
        {
            orders = orders.Where(o => o.Status == status);
        }

        if (query.Stuck is { } stuck)
        {
            // Bare flags match the partial index of flagged orders.
            orders = stuck ? orders.Where(o => o.Stuck) : orders.Where(o => !o.Stuck);
        }

        if (query.Disputed is { } disputed)
        {
            orders = disputed ? orders.Where(o => o.Disputed) : orders.Where(o => !o.Disputed);
        }

        if (query.Attention == true)
        {
            orders = orders.Where(Order.NeedsAttention);
        }

        if (query.Waiting == true)
        {
            orders = orders.Where(Order.WaitingOnPerson);
        }

        if (query.From is { } from)
        {
            orders = orders.Where(o => o.ReceivedAt >= from);
        }

        if (query.To is { } to)
        {
            orders = orders.Where(o => o.ReceivedAt < to);
        }

        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            // Exact matches only, so every branch can use an index.
            var q = query.Q.Trim();
            orders = long.TryParse(q, out var id)
                ? orders.Where(o => o.Id == id || o.MicoUserId == q || o.ExternalId == q)
                : orders.Where(o => o.ExternalId == q);
        }

        return orders;
    }

    private static IQueryable<Order> Sort(IQueryable<Order> orders, OrderListQuery query) => (query.Sort?.ToLowerInvariant(), query.Desc) switch
    {
        ("updatedat", true) => orders.OrderByDescending(o => o.UpdatedAt).ThenByDescending(o => o.Id),
        ("updatedat", false) => orders.OrderBy(o => o.UpdatedAt).ThenBy(o => o.Id),
        ("status", true) => orders.OrderByDescending(o => o.Status).ThenByDescending(o => o.Id),
        ("status", false) => orders.OrderBy(o => o.Status).ThenBy(o => o.Id),
        ("coins", true) => orders.OrderByDescending(o => o.Coins).ThenByDescending(o => o.Id),
        ("coins", false) => orders.OrderBy(o => o.Coins).ThenBy(o => o.Id),
        ("latencyms", true) => orders.OrderByDescending(o => o.LatencyMs).ThenByDescending(o => o.Id),
        ("latencyms", false) => orders.OrderBy(o => o.LatencyMs).ThenBy(o => o.Id),
        (_, false) => orders.OrderBy(o => o.Id),
        _ => orders.OrderByDescending(o => o.Id),
    };
}
