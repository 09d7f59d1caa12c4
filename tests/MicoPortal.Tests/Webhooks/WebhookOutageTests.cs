using System.Diagnostics;
using System.Net.Http.Json;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Webhooks;

/// <summary>The shop's endpoint is away for two minutes (first refusing connections, then answering 503): nothing is lost, and it catches up quickly.</summary>
[Collection(EndToEndRuns.Name)]
public class WebhookOutageTests(ITestOutputHelper output)
{
    private const int Orders = 200;

    [Fact]
    public async Task Two_minutes_of_a_dead_endpoint_lose_nothing_and_it_catches_up_after()
    {
        await using var receiver = await ShopReceiver.StartAsync();
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Webhooks:Timeout"] = "00:00:02",
            ["Webhooks:Lease"] = "00:00:05",
            ["Webhooks:Backoff:0"] = "00:00:00.500",
            ["Webhooks:Backoff:1"] = "00:00:01",
            ["Webhooks:Backoff:2"] = "00:00:02",
            ["Webhooks:Backoff:3"] = "00:00:04",
            ["Webhooks:CircuitFailures"] = "5",
            ["Webhooks:CircuitCooldown"] = "00:00:01",
        }, output);
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);
        await WebhookChecks.SetWebhookAsync(admin, receiver, "dev-shop");

        // Down: connections refused for a minute, then 503 for another.
        await receiver.StopAsync();
        var outage = Stopwatch.StartNew();
        var batch = Enumerable.Range(0, Orders).Select(i => PortalClient.NewOrder($"wh-outage-{i}", ScenarioExpectations.UserId(i % 5 == 0 ? 91 : 10 + (i % 70), i))).ToList();
        (await portal.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batch))).EnsureSuccessStatusCode();
        Assert.True(await PortalClient.EventuallyAsync(async () => await portal.WithDbAsync(db => db.WebhookDeliveries.CountAsync()) == Orders, TimeSpan.FromSeconds(30)),
            "every order should settle and write its event");
        await Task.Delay(TimeSpan.FromSeconds(60) - outage.Elapsed);
        var refusedTries = await portal.WithDbAsync(db => db.WebhookAttempts.CountAsync());
        receiver.Answer = (_, _) => Task.FromResult<(int, string?)?>((503, null));
        await receiver.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(120) - outage.Elapsed);
        var during = await portal.WithDbAsync(async db => (
            Tries: await db.WebhookAttempts.CountAsync(),
            Pending: await db.WebhookDeliveries.CountAsync(d => d.State == WebhookDeliveryState.Pending)));
        var webhooks = await admin.GetFromJsonAsync<List<ShopWebhookDto>>("/api/v1/admin/shops/webhooks", PortalClient.Json);

        // Back.
        receiver.Answer = null;
        var back = Stopwatch.StartNew();
        var caughtUp = await PortalClient.EventuallyAsync(async () =>
            await portal.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.State == WebhookDeliveryState.Succeeded)) == Orders, TimeSpan.FromSeconds(60));
        var catchUp = back.Elapsed;

        var expected = await portal.WithDbAsync(WebhookChecks.ExpectedEventsAsync);
        var accepted = receiver.Accepted;
        var violations = WebhookChecks.Compare(expected, accepted);
        output.WriteLine($"outage of {outage.Elapsed.TotalSeconds - catchUp.TotalSeconds:0} s: {refusedTries} tries refused in the first minute, {during.Tries} tries in all " +
                         $"({during.Pending} of {Orders} events pending at the end; circuit open then: {webhooks![0].CircuitOpen}, pending shown {webhooks[0].Pending}); " +
                         $"caught up {catchUp.TotalSeconds:0.0} s after the endpoint came back; {accepted.Count} events taken, duplicates sent = {receiver.Duplicates}, violations = {violations.Count}");
        violations.Take(10).ToList().ForEach(output.WriteLine);

        Assert.Equal(Orders, during.Pending); // nothing was given up or lost while the endpoint was away
        Assert.True(caughtUp, "every event should be delivered once the endpoint is back");
        Assert.True(catchUp < TimeSpan.FromSeconds(30), $"catching up took {catchUp}");
        Assert.Empty(violations);
        Assert.Equal(Orders, accepted.Count);
        Assert.Equal(0, receiver.BadSignatures);
        // The circuit held the tries down: far fewer than one per event per backoff step.
        Assert.True(during.Tries < Orders * 4, $"{during.Tries} tries during the outage");
    }
}
