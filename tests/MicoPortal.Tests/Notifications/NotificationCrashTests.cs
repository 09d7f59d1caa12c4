using System.Net.Http.Json;
using MicoPortal.Server.Notifications;
using MicoPortal.Shared.Notifications;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Notifications;

/// <summary>
/// The outbox promise: a customer gets exactly one message per outcome, however the portal process
/// dies. The server is SIGKILLed once after the status changes were saved and before anything was
/// sent, and once in the middle of sending; after the last restart every outcome has one message.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class NotificationCrashTests(ITestOutputHelper output)
{
    private const int Orders = 300;

    [Fact]
    public async Task A_crash_between_the_status_change_and_the_send_still_sends_exactly_one_message()
    {
        await using var provider = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:LatencyMs"] = "20", ["Sandbox:LatencyJitterMs"] = "20" });
        var dataDirectory = PortalFactory.NewDataDirectory();
        var settings = provider.PortalSettings();
        settings["Notifications:Gateway"] = "Sandbox";
        settings["Notifications:Timeout"] = "00:00:02";
        settings["Notifications:Lease"] = "00:00:04"; // a dead sender's claims come free quickly
        settings["Notifications:Batch"] = "20";
        settings["Notifications:SandboxLatency"] = "00:00:00.100"; // sending takes seconds, so the second kill lands in the middle
        settings["Verification:Backoff:0"] = "00:00:01";
        settings["Verification:SettlementCheckAfter"] = "00:00:00";

        // Every tenth order comes without a phone (Skipped, nothing to send); a third fail at the provider (user ids ending in 91).
        var batch = Enumerable.Range(0, Orders)
            .Select(i => PortalClient.NewOrder($"sms-crash-{i}", ScenarioExpectations.UserId(i % 3 == 0 ? 91 : 10 + i % 70, i)) with
            {
                CustomerPhone = i % 10 == 0 ? null : $"+97150{i:0000000}",
            })
            .ToList();
        var withPhone = batch.Count(o => o.CustomerPhone is not null);

        // 1. The sender is off: orders reach their final status, their notifications wait in the outbox. Then the crash.
        await using (var portal = await PortalProcess.StartAsync(dataDirectory, With(settings, "Notifications:SendEnabled", "false")))
        {
            (await portal.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batch))).EnsureSuccessStatusCode();
            Assert.True(await PortalClient.EventuallyAsync(async () => await FinalOrdersAsync(dataDirectory) == Orders, TimeSpan.FromSeconds(90)), "every order should reach a final status");
            await portal.KillAsync();
        }

        var (pending, sentBefore) = await PortalDatabase.ReadAsync(dataDirectory, async db =>
            (await db.CustomerNotifications.CountAsync(n => n.Status == NotificationStatus.Pending), await db.SandboxSmsMessages.CountAsync()));
        output.WriteLine($"killed after the status changes: {Orders} orders final, {pending} notifications pending, {sentBefore} sent");
        Assert.Equal(withPhone, pending);
        Assert.Equal(0, sentBefore);

        // 2. The sender is on; the process is killed again in the middle of sending.
        var killedWith = 0;
        await using (var portal = await PortalProcess.StartAsync(dataDirectory, settings))
        {
            Assert.True(await PortalClient.EventuallyAsync(async () => await InboxCountAsync(dataDirectory) > 0, TimeSpan.FromSeconds(30)), "sending should start");
            await Task.Delay(Random.Shared.Next(100, 1000));
            await portal.KillAsync();
            killedWith = await InboxCountAsync(dataDirectory);
        }

        output.WriteLine($"killed while sending: {killedWith} of {withPhone} messages in the sink");

        // 3. Restart: everything left is sent.
        await using (var portal = await PortalProcess.StartAsync(dataDirectory, settings))
        {
            Assert.True(await PortalClient.EventuallyAsync(async () =>
                await PortalDatabase.ReadAsync(dataDirectory, db => db.CustomerNotifications.CountAsync(n => n.Status == NotificationStatus.Pending)) == 0,
                TimeSpan.FromSeconds(60)), "the outbox should drain after the restart");
        }

        var (notifications, inbox, orders) = await PortalDatabase.ReadAsync(dataDirectory, async db => (
            await db.CustomerNotifications.AsNoTracking().ToListAsync(),
            await db.SandboxSmsMessages.AsNoTracking().ToDictionaryAsync(m => m.IdempotencyKey),
            await db.Orders.AsNoTracking().ToDictionaryAsync(o => o.Id)));

        var violations = new List<string>();
        foreach (var order in orders.Values)
        {
            var mine = notifications.Where(n => n.OrderId == order.Id).ToList();
            if (mine.Count != 1 || mine[0].OrderStatus != order.Status)
            {
                violations.Add($"order {order.ExternalId} ({order.Status}): {mine.Count} notifications");
            }
        }

        foreach (var n in notifications)
        {
            var expected = n.To.Length == 0 ? NotificationStatus.Skipped : NotificationStatus.Sent;
            var message = inbox.GetValueOrDefault(NotificationSender.IdempotencyKey(n));
            if (n.Status != expected || (expected == NotificationStatus.Sent) != (message is not null)
                || (message is not null && (message.MessageId != n.GatewayMessageId || message.Text != n.Text || message.To != n.To)))
            {
                violations.Add($"notification {n.Id} of order {n.OrderId}: {n.Status}, message {message?.MessageId ?? "none"}, recorded {n.GatewayMessageId}");
            }
        }

        // The sink answers a repeated key with the first message, as a gateway with idempotency keys would; a gateway
        // without them (Twilio) would have sent every hand-over. That is what the customer would have received.
        var handedOver = inbox.Values.Sum(m => m.Deliveries);
        foreach (var repeated in inbox.Values.Where(m => m.Deliveries > 1))
        {
            violations.Add($"message {repeated.MessageId} to {repeated.To} handed over {repeated.Deliveries} times: a gateway without idempotency keys sends it {repeated.Deliveries} times");
        }

        output.WriteLine($"outbox crash test: {Orders} orders, 2 kills ({killedWith} messages in the sink at the second), {notifications.Count} notifications " +
                         $"({notifications.Count(n => n.Status == NotificationStatus.Sent)} sent, {notifications.Count(n => n.Status == NotificationStatus.Skipped)} skipped), " +
                         $"{inbox.Count} messages received, {handedOver} hand-overs (what a gateway without idempotency keys would have sent), invariant violations = {violations.Count}");
        violations.Take(10).ToList().ForEach(output.WriteLine);
        Assert.Empty(violations);
        Assert.Equal(withPhone, inbox.Count);
        Assert.Equal(withPhone, handedOver);
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, string key, string value) => new(settings) { [key] = value };

    private static Task<int> FinalOrdersAsync(string dataDirectory) => PortalDatabase.ReadAsync(dataDirectory, db =>
        db.Orders.CountAsync(o => o.Status == OrderStatus.Delivered || o.Status == OrderStatus.Failed));

    private static Task<int> InboxCountAsync(string dataDirectory) => PortalDatabase.ReadAsync(dataDirectory, db => db.SandboxSmsMessages.CountAsync());
}
