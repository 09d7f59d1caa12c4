using System.Net;
using System.Net.Http.Json;
using MicoPortal.Server.Webhooks;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Webhooks;

/// <summary>
/// Shops are isolated from each other: one whose endpoint hangs opens its circuit and is given up after the window,
/// while another's events keep their pace; a 503 with Retry-After is waited out; a resend brings failed events back;
/// deleting a webhook fails what it still owed, with the reason.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class WebhookCircuitTests(ITestOutputHelper output)
{
    private const int PerShop = 30;

    [Fact]
    public async Task A_hanging_shop_opens_its_circuit_while_the_others_flow()
    {
        await using var hanging = await ShopReceiver.StartAsync();
        await using var healthy = await ShopReceiver.StartAsync();
        await using var throttling = await ShopReceiver.StartAsync();
        await using var gone = await ShopReceiver.StartAsync();
        hanging.Hang = true;
        // Each event is refused once with 503 and Retry-After: 3 (the backoff alone would try again in 0.2 s).
        throttling.Answer = (_, arrival) => Task.FromResult<(int, string?)?>(arrival == 1 ? (503, "3") : null);
        await gone.StopAsync();

        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Webhooks:Timeout"] = "00:00:01",
            ["Webhooks:Lease"] = "00:00:05",
            ["Webhooks:Parallelism"] = "2",
            ["Webhooks:Backoff:0"] = "00:00:00.200",
            ["Webhooks:CircuitFailures"] = "4",
            ["Webhooks:CircuitCooldown"] = "00:00:01",
            ["Webhooks:GiveUpAfter"] = "00:00:15",
        }, output);
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);
        var shops = new Dictionary<string, (ShopReceiver Receiver, HttpClient Client)>();
        foreach (var (shop, receiver) in new[] { ("shop-hanging", hanging), ("shop-healthy", healthy), ("shop-throttling", throttling), ("shop-gone", gone) })
        {
            var created = await (await admin.PostAsJsonAsync("/api/v1/admin/api-keys", new CreateShopApiKeyRequest(shop, "webhook test"))).ReadAsync<CreatedShopApiKeyDto>();
            var client = portal.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", created.Key);
            await WebhookChecks.SetWebhookAsync(admin, receiver, shop);
            shops[shop] = (receiver, client);
        }

        // The hanging shop's events first, then the healthy shop's: they must not queue behind them.
        await PlaceAsync(shops["shop-hanging"].Client, "hanging", PerShop);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await PlaceAsync(shops["shop-healthy"].Client, "healthy", PerShop);
        await PlaceAsync(shops["shop-throttling"].Client, "throttling", 5);
        await PlaceAsync(shops["shop-gone"].Client, "gone", 5);

        Assert.True(await PortalClient.EventuallyAsync(async () => healthy.Accepted.Count == PerShop && throttling.Accepted.Count == 5
            && await portal.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.Shop == "shop-throttling" && d.State == WebhookDeliveryState.Succeeded)) == 5, TimeSpan.FromSeconds(30)),
            $"the healthy shop took {healthy.Accepted.Count} of {PerShop}, the throttling one {throttling.Accepted.Count} of 5");
        var healthyRows = await portal.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.Shop == "shop-healthy").ToDictionaryAsync(d => d.EventId));
        var lags = healthy.Accepted.Select(e => (e.At - healthyRows[e.EventId].CreatedAt).TotalSeconds).Order().ToList();
        var circuit = (await admin.GetFromJsonAsync<List<ShopWebhookDto>>("/api/v1/admin/shops/webhooks", PortalClient.Json))!.ToDictionary(w => w.Shop);
        var hangingRows = await portal.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.Shop == "shop-hanging").ToListAsync());
        output.WriteLine($"healthy shop: {PerShop} events, from write to arrival median {lags[lags.Count / 2]:0.00} s, max {lags[^1]:0.00} s; " +
                         $"hanging shop: {hangingRows.Sum(d => d.Attempts)} tries over {hangingRows.Count} events, circuit open {circuit["shop-hanging"].CircuitOpen} until {circuit["shop-hanging"].CircuitOpenUntil:HH:mm:ss.fff}");
        Assert.True(lags[^1] < 4, $"the healthy shop's events waited up to {lags[^1]:0.00} s");
        Assert.True(circuit["shop-hanging"].CircuitOpen);
        Assert.False(circuit["shop-healthy"].CircuitOpen);
        Assert.Contains(hangingRows, d => d.LastError?.StartsWith("No answer within", StringComparison.Ordinal) == true);

        // Retry-After: the second try waited the 3 s the shop asked for, not the 0.2 s backoff.
        var throttled = await portal.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.Shop == "shop-throttling").Select(d => d.Id).ToListAsync());
        foreach (var id in throttled)
        {
            var detail = await admin.GetFromJsonAsync<WebhookDeliveryDetailDto>($"/api/v1/webhooks/deliveries/{id}", PortalClient.Json);
            Assert.Equal(WebhookDeliveryState.Succeeded, detail!.Delivery.State);
            Assert.Equal(2, detail.Attempts.Count);
            Assert.Equal(503, detail.Attempts[0].StatusCode);
            var gap = detail.Attempts[1].At - detail.Attempts[0].At;
            output.WriteLine($"throttled delivery {id}: 503, then {detail.Attempts[1].StatusCode} {gap.TotalSeconds:0.00} s later");
            Assert.True(gap >= TimeSpan.FromSeconds(2.9), $"the second try came {gap} after the 503");
        }

        // Deleting a webhook fails what the shop was still owed, with the reason on each event.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/admin/shops/shop-gone/webhook")).StatusCode);
        var goneRows = await portal.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.Shop == "shop-gone").ToListAsync());
        Assert.Equal(5, goneRows.Count);
        Assert.All(goneRows, d => Assert.Equal((WebhookDeliveryState.Failed, WebhookSender.DeletedError), (d.State, d.LastError)));
        var again = await admin.DeleteAsync("/api/v1/admin/shops/shop-gone/webhook");
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode); // idempotent

        // The hanging shop's events are given up once their window (15 s) has passed.
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            await portal.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.Shop == "shop-hanging" && d.State == WebhookDeliveryState.Failed)) == PerShop, TimeSpan.FromSeconds(40)),
            "the hanging shop's events should be given up after Webhooks:GiveUpAfter");
        var failed = await admin.GetFromJsonAsync<PagedResult<WebhookDeliveryDto>>("/api/v1/webhooks/deliveries?shop=shop-hanging&state=failed&pageSize=200", PortalClient.Json);
        Assert.Equal(PerShop, failed!.Total);
        Assert.All(failed.Items, d => Assert.StartsWith("Given up", d.LastError));
        var hangingTries = failed.Items.Sum(d => d.Attempts);
        output.WriteLine($"hanging shop given up: {PerShop} events failed after {hangingTries} tries in all; first error: {failed.Items[0].LastError}");
        Assert.Empty(hanging.Accepted);

        // The shop is fixed; an admin resends what failed, and it arrives, in order.
        hanging.Hang = false;
        var resend = await admin.PostAsync("/api/v1/webhooks/deliveries/resend-failed?shop=shop-hanging", null);
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        Assert.Equal(PerShop, (await resend.ReadAsync<WebhookResendResponse>()).Queued);
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(hanging.Accepted.Count == PerShop), TimeSpan.FromSeconds(40)),
            $"the resent events should arrive ({hanging.Accepted.Count} of {PerShop})");

        var expected = await portal.WithDbAsync(WebhookChecks.ExpectedEventsAsync);
        var ids = await portal.WithDbAsync(db => db.Orders.Where(o => o.Shop != "shop-gone").Select(o => o.Id).ToListAsync());
        var violations = WebhookChecks.Compare(expected.Where(e => ids.Contains(e.Key)).ToDictionary(),
            new[] { hanging, healthy, throttling }.SelectMany(r => r.Accepted));
        violations.ForEach(output.WriteLine);
        Assert.Empty(violations);
        Assert.Equal(0, new[] { hanging, healthy, throttling, gone }.Sum(r => r.BadSignatures));
    }

    private static async Task PlaceAsync(HttpClient shop, string prefix, int count)
    {
        var batch = Enumerable.Range(0, count).Select(i => PortalClient.NewOrder($"wh-{prefix}-{i}", $"{200000 + i:000000}{10 + i % 70:00}")).ToList();
        (await shop.PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batch))).EnsureSuccessStatusCode();
    }
}
