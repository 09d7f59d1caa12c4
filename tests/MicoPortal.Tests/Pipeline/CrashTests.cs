using System.Net.Http.Json;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Pipeline;

/// <summary>
/// The portal process is killed (SIGKILL) at random moments during dispatch and verification,
/// restarted on the same database, and must still deliver every order exactly once.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_server_during_dispatch_and_verification_loses_nothing_and_sends_nothing_twice()
    {
        await using var provider = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:LatencyMs"] = "30", ["Sandbox:LatencyJitterMs"] = "30" });
        var dataDirectory = PortalFactory.NewDataDirectory();
        var settings = provider.PortalSettings();
        settings["Verification:Lease"] = "00:00:10"; // a dead server's claims come free quickly
        settings["Provider:CreateTimeout"] = "00:00:03"; // and a create times out well inside its lease
        settings["Verification:DispatchBatchSize"] = "50";
        settings["Verification:Backoff:0"] = "00:00:01";
        settings["Verification:Backoff:1"] = "00:00:02";
        settings["Verification:SettlementCheckAfter"] = "00:00:00";
        var random = new Random(7);
        var sent = 0;
        const int kills = 3;
        for (var round = 0; round <= kills; round++)
        {
            await using var portal = await PortalProcess.StartAsync(dataDirectory, settings);
            if (round < kills)
            {
                var batch = Enumerable.Range(sent, 400).Select(i => PortalClient.NewOrder($"crash-{i}", ScenarioExpectations.UserId(i % 7 == 0 ? 93 : i % 11 == 0 ? 94 : 10 + i % 80, i))).ToList();
                (await portal.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batch))).EnsureSuccessStatusCode();
                sent += batch.Count;
                var wait = TimeSpan.FromMilliseconds(random.Next(100, 1500));
                await Task.Delay(wait);
                await portal.KillAsync();
                output.WriteLine($"kill {round + 1} after {wait.TotalMilliseconds:0} ms: {await StatusesAsync(dataDirectory)}");
            }
            else
            {
                var settled = await PortalClient.EventuallyAsync(async () =>
                    (await PortalDatabase.ReadAsync(dataDirectory, db => db.Orders.CountAsync(o => o.Status == OrderStatus.Delivered))) == sent, TimeSpan.FromSeconds(120));
                output.WriteLine($"after the last restart: {await StatusesAsync(dataDirectory)}");
                Assert.True(settled, "every order should be delivered after the restarts");
            }
        }

        var orders = await PortalDatabase.ReadAsync(dataDirectory, db => db.Orders.AsNoTracking().ToListAsync());
        var violations = orders
            .Select(o => (Order: o, Truth: provider.Ledger.GetTruth(o.ClientRef)))
            .Where(x => x.Truth?.Status != ProviderStatuses.Success || x.Order.ProofSerial is null)
            .Select(x => $"{x.Order.ClientRef}: {x.Order.Status}, provider {x.Truth?.Status}")
            .ToList();
        var creates = ProviderCreateAudit.Check(provider.Ledger, orders);
        violations.AddRange(creates.Violations);
        output.WriteLine($"crash test: {orders.Count} orders, {kills} kills, invariant violations = {violations.Count}; creates at the provider: {creates}");
        violations.Take(10).ToList().ForEach(output.WriteLine);
        Assert.Equal(sent, orders.Count);
        Assert.Empty(violations);
    }

    private static Task<string> StatusesAsync(string dataDirectory) => PortalDatabase.ReadAsync(dataDirectory, async db =>
        string.Join(", ", (await db.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync()).Select(g => $"{g.Key} {g.Count}")));
}
