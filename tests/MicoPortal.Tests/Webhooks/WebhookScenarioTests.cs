using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Webhooks;

/// <summary>
/// A thousand orders over every sandbox scenario with the shop's webhook set: the shop hears of every final
/// outcome once (scenario 95: delivered, then reversed), nothing missing against the orders' history, one
/// order's events in the order they happened.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class WebhookScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_orders_over_all_scenarios_give_one_event_per_outcome_in_order()
    {
        await using var provider = await ProviderHost.StartAsync();
        await using var receiver = await ShopReceiver.StartAsync();
        var settings = provider.PortalSettings();
        settings["Webhooks:Backoff:0"] = "00:00:00.500";
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), settings, output);
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);
        await WebhookChecks.SetWebhookAsync(admin, receiver, "dev-shop");

        var orders = ScenarioExpectations.Suffixes
            .SelectMany(suffix => Enumerable.Range(0, 100).Select(i => PortalClient.NewOrder($"wh-{suffix}-{i}", ScenarioExpectations.UserId(suffix, i))))
            .ToList();
        var clock = Stopwatch.StartNew();
        var response = await portal.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(orders));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var settled = await PortalClient.EventuallyAsync(async () => await portal.WithDbAsync(async db =>
            await db.Orders.CountAsync(o => o.Status == OrderStatus.Delivered || o.Status == OrderStatus.Failed || o.Status == OrderStatus.Reversed) == 1000
            && await db.Orders.CountAsync(o => o.Status == OrderStatus.Reversed) == 100
            && !await db.WebhookDeliveries.AnyAsync(d => d.State != WebhookDeliveryState.Succeeded)), TimeSpan.FromSeconds(120));
        var elapsed = clock.Elapsed;

        var expected = await portal.WithDbAsync(WebhookChecks.ExpectedEventsAsync);
        var deliveries = await portal.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().ToListAsync());
        var final = await portal.WithDbAsync(db => db.Orders.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Status));
        var accepted = receiver.Accepted;
        var violations = WebhookChecks.Compare(expected, accepted);
        // The last event of each order names its final status; every event's order is in the status it announces.
        violations.AddRange(final.Where(o => accepted.LastOrDefault(e => e.OrderId == o.Key)?.OrderStatus != o.Value.ToString())
            .Select(o => $"order {o.Key}: final {o.Value}, last event {accepted.LastOrDefault(e => e.OrderId == o.Key)?.OrderStatus ?? "none"}"));
        violations.AddRange(accepted.Where(e => e.HeaderEventId != e.EventId || !e.Type.EndsWith(e.OrderStatus.ToLowerInvariant(), StringComparison.Ordinal))
            .Select(e => $"event {e.EventId}: header {e.HeaderEventId}, {e.Type} with the order {e.OrderStatus}"));
        violations.AddRange(deliveries.Where(d => d.State != WebhookDeliveryState.Succeeded || receiver.ArrivalsOf(d.EventId) == 0)
            .Select(d => $"delivery {d.Id} ({d.Type}, order {d.OrderId}): {d.State}, {d.Attempts} tries, last {d.LastError}"));

        var byType = accepted.GroupBy(e => e.Type).Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine($"{final.Count} orders settled and every event delivered in {elapsed.TotalSeconds:0.0} s: {deliveries.Count} events written, " +
                         $"{accepted.Count} taken ({string.Join(", ", byType)}), {receiver.Requests} requests, duplicates sent = {receiver.Duplicates}, " +
                         $"bad signatures = {receiver.BadSignatures}, violations = {violations.Count}");
        violations.Take(20).ToList().ForEach(output.WriteLine);

        Assert.True(settled, "every order should settle and every event be delivered");
        Assert.Empty(violations);
        Assert.Equal(1100, accepted.Count); // 900 delivered or failed, 100 delivered then reversed
        Assert.Equal(0, receiver.BadSignatures);
    }
}
