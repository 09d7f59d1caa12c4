using System.Net.Http.Json;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Pipeline;

/// <summary>The dispatch pipeline has no batch barrier: a create that hangs holds its own slot and nothing else.</summary>
public class DispatchPipelineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_create_that_hangs_until_its_timeout_does_not_delay_the_orders_after_it()
    {
        // Scenario 93 with DropMode=Hang: the provider stores the order and never answers, so the portal's
        // create waits its full timeout (60 s here, far longer than the test needs).
        await using var provider = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:DropMode"] = "Hang" });
        var settings = provider.PortalSettings();
        settings["Provider:CreateTimeout"] = "00:01:00";
        settings["Verification:Lease"] = "00:03:00"; // a create must be able to time out inside its order's lease
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), settings, output);
        var shop = portal.ShopClient();

        var hanging = PortalClient.NewOrder("hang-1", ScenarioExpectations.UserId(93, 1));
        (await shop.PostAsJsonAsync("/api/v1/orders", hanging)).EnsureSuccessStatusCode();
        var hangingRef = await portal.WithDbAsync(db => db.Orders.Where(o => o.ExternalId == "hang-1").Select(o => o.Id).SingleAsync()) + "-1";
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(provider.Ledger.CreatesCommitted(hangingRef) == 1), TimeSpan.FromSeconds(30)),
            "the hanging create should reach the provider");

        // Orders after it, on the ordinary path (PENDING, then SUCCESS within 2 s).
        var others = Enumerable.Range(0, 20).Select(i => PortalClient.NewOrder($"after-{i}", ScenarioExpectations.UserId(10, i))).ToList();
        (await shop.PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(others))).EnsureSuccessStatusCode();
        var delivered = await PortalClient.EventuallyAsync(
            () => portal.WithDbAsync(db => db.Orders.CountAsync(o => o.ExternalId.StartsWith("after-") && o.Status == OrderStatus.Delivered)).ContinueWith(t => t.Result == others.Count),
            TimeSpan.FromSeconds(40));

        var hung = await portal.WithDbAsync(db => db.Orders.AsNoTracking().SingleAsync(o => o.ExternalId == "hang-1"));
        var statuses = await portal.WithDbAsync(db => db.Orders.AsNoTracking().GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        output.WriteLine($"{string.Join(", ", statuses.Select(s => $"{s.Key} {s.Count}"))}; hanging order {hung.Status}, create issued {hung.CreateIssuedAt}");

        Assert.True(delivered, "every order after the hanging one should be delivered while it hangs");
        // The proof that they did not wait for it: its create has still not been answered.
        Assert.Equal(OrderStatus.Received, hung.Status);
        Assert.NotNull(hung.CreateIssuedAt);
        Assert.Equal(1, provider.Ledger.CreatesReceived(hangingRef));
    }
}
