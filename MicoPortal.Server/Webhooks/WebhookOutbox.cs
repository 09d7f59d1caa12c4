using System.Text.Json;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Notifications;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// Writes a shop's events into the webhook outbox, inside the transaction of the status change that causes them
/// (called by <see cref="Verification.OrderTransitions"/> after the orders and attempts are written), so a crash
/// loses neither. Costs nothing when no order of the batch reached an outcome, and one small query of
/// <c>ShopWebhooks</c> when none of their shops has a webhook: the hot path of shops without one stays as it was.
/// </summary>
public sealed class WebhookOutbox(IOptions<WebhookOptions> options, IOptions<JsonOptions> json)
{
    /// <summary>The same outcomes a customer is told about: the coins arrived, did not arrive, or were taken back.</summary>
    public static bool Announces(OrderStatus from, OrderStatus to) => NotificationOutbox.Announces(from, to);

    public static string TypeOf(OrderStatus status) => status switch
    {
        OrderStatus.Delivered => WebhookEventTypes.OrderDelivered,
        OrderStatus.Failed => WebhookEventTypes.OrderFailed,
        OrderStatus.Reversed => WebhookEventTypes.OrderReversed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Only final outcomes are events."),
    };

    /// <summary>
    /// Adds one event per order of <paramref name="announced"/> whose shop has a webhook. Must run inside the
    /// transaction that wrote these orders' new state and attempts: the snapshot reads them back (with their ids),
    /// so the event's <c>order</c> is what <c>GET /api/v1/orders/{id}</c> answers the shop right after the commit.
    /// </summary>
    public async Task WriteAsync(PortalDbContext db, IReadOnlyList<Order> announced, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (announced.Count == 0 || !options.Value.Enabled)
        {
            return;
        }

        var shops = announced.Select(o => o.Shop).Distinct().ToList();
        var withWebhook = await db.ShopWebhooks.AsNoTracking().Where(w => EF.Parameter(shops).Contains(w.Shop)).Select(w => w.Shop).ToListAsync(cancellationToken);
        if (withWebhook.Count == 0)
        {
            return;
        }

        var orders = announced.Where(o => withWebhook.Contains(o.Shop)).ToList();
        var ids = orders.Select(o => o.Id).ToList();
        var attempts = (await db.OrderAttempts.AsNoTracking().Where(a => EF.Parameter(ids).Contains(a.OrderId)).ToListAsync(cancellationToken))
            .ToLookup(a => a.OrderId);
        var resolutions = (await OrderQueries.WithoutFiles(db.OrderResolutions.Where(r => EF.Parameter(ids).Contains(r.OrderId))).ToListAsync(cancellationToken))
            .ToLookup(r => r.OrderId);

        var deliveries = new List<WebhookDelivery>(orders.Count);
        foreach (var order in orders)
        {
            // The newest attempts, oldest first, as the order endpoint shows them.
            var shown = attempts[order.Id].OrderByDescending(a => a.Id).Take(OrderQueries.MaxAttemptsShown).Reverse();
            var snapshot = Masking.ForShop(order.ToDto(shown, null, resolutions[order.Id].OrderBy(r => r.Id)));
            deliveries.Add(new WebhookDelivery
            {
                EventId = Guid.NewGuid().ToString(),
                Shop = order.Shop,
                OrderId = order.Id,
                Type = TypeOf(order.Status),
                OrderJson = JsonSerializer.Serialize(snapshot, json.Value.SerializerOptions),
                State = WebhookDeliveryState.Pending,
                NextAttemptAt = now,
                CreatedAt = now,
            });
        }

        await RowWriter.InsertAsync(db, deliveries, cancellationToken);
    }
}
