using System.Net.Http.Json;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Pipeline;

/// <summary>Two portal servers on one database: leases and the concurrency token keep them apart.</summary>
[Collection(EndToEndRuns.Name)]
public class ContentionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_servers_sharing_a_database_never_process_one_order_twice()
    {
        await using var provider = await ProviderHost.StartAsync();
        var dataDirectory = PortalFactory.NewDataDirectory();
        // Small batches so both servers' sweeps keep competing for the same due orders.
        var settings = provider.PortalSettings();
        settings["Verification:DispatchBatchSize"] = "25";
        settings["Verification:VerifyBatchSize"] = "50";
        await using var first = new PortalFactory(dataDirectory, settings);
        first.StartServer();
        await using var second = new PortalFactory(dataDirectory, settings);
        second.StartServer();

        var orders = Enumerable.Range(0, 1000).Select(i => PortalClient.NewOrder($"two-{i}", ScenarioExpectations.UserId(i % 5 == 0 ? 92 : 10 + i % 80, i))).ToList();
        await Task.WhenAll(
            first.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(orders[..500])),
            second.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(orders[500..])));

        var settled = await PortalClient.EventuallyAsync(
            () => first.WithDbAsync(db => db.Orders.AllAsync(o => o.Status == OrderStatus.Delivered)), TimeSpan.FromSeconds(120));

        var final = await first.WithDbAsync(db => db.Orders.AsNoTracking().Include(o => o.Attempts).ToListAsync());
        var createsSent = final.Sum(o => o.Attempts.Count(a => a.Kind == AttemptKind.Create));
        var doubleSent = final.Count(o => provider.Ledger.GetCreateCounts(o.ClientRef).Received != 1);
        var creates = ProviderCreateAudit.Check(provider.Ledger, final);
        output.WriteLine($"two servers: {final.Count} orders, {createsSent} creates recorded, {doubleSent} orders sent more than once, settled={settled}; creates at the provider: {creates}");

        Assert.True(settled, "every order should be delivered");
        Assert.Equal(1000, final.Count);
        Assert.Equal(0, doubleSent);
        Assert.Empty(creates.Violations);
        Assert.Equal(1000, createsSent);
    }
}
