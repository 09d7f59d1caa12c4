using System.Net.Http.Json;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Webhooks;

/// <summary>
/// The outbox promise for shops: the server process is SIGKILLed in the middle of sending webhooks and restarted on
/// the same database; every event still reaches the shop (at least once), in order per order.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class WebhookCrashTests(ITestOutputHelper output)
{
    private const int Orders = 300;

    [Fact]
    public async Task A_kill_in_the_middle_of_sending_loses_no_event()
    {
        await using var provider = await ProviderHost.StartAsync();
        await using var receiver = await ShopReceiver.StartAsync();
        receiver.DelayMs = 100; // sending takes many seconds, so the kill lands in the middle
        var dataDirectory = PortalFactory.NewDataDirectory();
        var settings = provider.PortalSettings();
        settings["DataProtection:KeysDirectory"] = Path.Combine(dataDirectory, "keys"); // the secret must be readable after the restart
        settings["Webhooks:Timeout"] = "00:00:02";
        settings["Webhooks:Lease"] = "00:00:04"; // a dead sender's claims come free quickly
        settings["Webhooks:Parallelism"] = "2";
        settings["Webhooks:Backoff:0"] = "00:00:00.500";
        settings["Verification:Backoff:0"] = "00:00:01";
        settings["Verification:SettlementCheckAfter"] = "00:00:00";

        // A fifth fail at the provider. (No reversals: the restarted portal listens on another port, so the provider's
        // late REVERSED callbacks would go nowhere; the scenario test covers delivered-then-reversed.)
        var batch = Enumerable.Range(0, Orders).Select(i => PortalClient.NewOrder($"wh-crash-{i}", ScenarioExpectations.UserId(i % 5 == 0 ? 91 : 10 + (i % 70), i))).ToList();
        int killedAt;
        await using (var portal = await PortalProcess.StartAsync(dataDirectory, settings))
        {
            using var admin = await portal.AdminClientAsync();
            await WebhookChecks.SetWebhookAsync(admin, receiver, "dev-shop");
            (await portal.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batch))).EnsureSuccessStatusCode();
            Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(receiver.Accepted.Count >= 40), TimeSpan.FromSeconds(60)), "sending should start");
            await Task.Delay(Random.Shared.Next(100, 1000));
            await portal.KillAsync();
            killedAt = receiver.Accepted.Count;
        }

        var pendingAfterKill = await PortalDatabase.ReadAsync(dataDirectory, db => db.WebhookDeliveries.CountAsync(d => d.State == WebhookDeliveryState.Pending));
        output.WriteLine($"killed while sending: {killedAt} events taken by the shop, {pendingAfterKill} pending in the outbox");

        await using (var portal = await PortalProcess.StartAsync(dataDirectory, settings))
        {
            Assert.True(await PortalClient.EventuallyAsync(async () => await PortalDatabase.ReadAsync(dataDirectory, async db =>
                await db.Orders.CountAsync(o => o.Status == OrderStatus.Delivered || o.Status == OrderStatus.Failed || o.Status == OrderStatus.Reversed) == Orders
                && !await db.WebhookDeliveries.AnyAsync(d => d.State != WebhookDeliveryState.Succeeded)), TimeSpan.FromSeconds(90)),
                "every order should settle and every event be delivered after the restart");
        }

        var (expected, deliveries) = await PortalDatabase.ReadAsync(dataDirectory, async db =>
            (await WebhookChecks.ExpectedEventsAsync(db), await db.WebhookDeliveries.AsNoTracking().ToListAsync()));
        var accepted = receiver.Accepted;
        var violations = WebhookChecks.Compare(expected, accepted);
        violations.AddRange(deliveries.Where(d => receiver.ArrivalsOf(d.EventId) == 0).Select(d => $"delivery {d.Id} ({d.Type}, order {d.OrderId}) never reached the shop"));
        output.WriteLine($"webhook crash test: {Orders} orders, 1 kill with {killedAt} events taken, {deliveries.Count} events written, {accepted.Count} taken, " +
                         $"{receiver.Requests} requests, duplicates sent (at least once) = {receiver.Duplicates}, bad signatures = {receiver.BadSignatures}, violations = {violations.Count}");
        violations.Take(10).ToList().ForEach(output.WriteLine);

        Assert.Empty(violations);
        Assert.Equal(deliveries.Count, accepted.Count);
        Assert.Equal(Orders, accepted.Count);
        Assert.Equal(0, receiver.BadSignatures);
    }
}
