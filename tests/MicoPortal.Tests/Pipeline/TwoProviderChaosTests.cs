using System.Diagnostics;
using System.Net.Http.Json;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Pipeline;

/// <summary>
/// Chaos and crashes with two providers: every fault of the sandbox at 5% at both, provider A also out of stock for
/// a share of its orders (failover to B), and the rules of several providers judged from both providers' records.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class TwoProviderChaosTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Faults = new()
    {
        ["Sandbox:Faults:TimeoutBeforeCommitRate"] = "0.05",
        ["Sandbox:Faults:TimeoutAfterCommitRate"] = "0.05",
        ["Sandbox:Faults:ServerErrorRate"] = "0.05",
        ["Sandbox:Faults:RateLimitRate"] = "0.05",
        ["Sandbox:Faults:MalformedRate"] = "0.05",
        ["Sandbox:Faults:MaintenanceRate"] = "0.05",
        ["Sandbox:Faults:SlowRate"] = "0.05",
        ["Sandbox:Faults:SlowDelayMs"] = "1500",
        ["Sandbox:Faults:CallbackDropRate"] = "0.05",
        ["Sandbox:Faults:CallbackDuplicateRate"] = "0.05",
        ["Sandbox:Faults:CallbackReorderRate"] = "0.05",
    };

    [Fact]
    public async Task Under_every_fault_at_both_providers_each_order_is_delivered_at_most_once_and_ends_as_its_provider_says()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("MICOPORTAL_CHAOS_ORDERS"), out var n) ? n / 5 : 2_000;
        await using var a = await ProviderHost.StartAsync(new Dictionary<string, string?>(Faults) { ["Sandbox:Faults:OutOfStockRate"] = "0.2" });
        await using var b = await ProviderHost.StartAsync(Faults);
        var settings = a.PortalSettingsWith(b);
        foreach (var provider in new[] { "Provider", "Providers:b" })
        {
            settings[$"{provider}:CreateTimeout"] = "00:00:01";
            settings[$"{provider}:QueryTimeout"] = "00:00:01";
        }

        settings["Verification:SettlementCheckAfter"] = "00:00:12";
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), settings);
        var clock = Stopwatch.StartNew();
        var orders = Enumerable.Range(0, count).Select(i =>
            PortalClient.NewOrder($"chaos2-{i}", ScenarioExpectations.UserId(i % 10 == 0 ? ScenarioExpectations.Suffixes[i / 10 % 10] : 10 + i % 80, i)));
        foreach (var batch in orders.Chunk(1000))
        {
            (await portal.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batch))).EnsureSuccessStatusCode();
        }

        var settled = await PortalClient.EventuallyAsync(
            () => portal.WithDbAsync(db => db.Orders.AllAsync(o => o.Status == OrderStatus.Delivered || o.Status == OrderStatus.Failed || o.Status == OrderStatus.Reversed)),
            TimeSpan.FromSeconds(240));
        await PortalClient.EventuallyAsync(() => portal.WithDbAsync(db => db.Orders.AllAsync(o => o.NextCheckAt == null)), TimeSpan.FromSeconds(90));

        var final = await portal.WithDbAsync(db => db.Orders.AsNoTracking().ToListAsync());
        var violations = SeveralProviderAudit.Check(new Dictionary<string, SandboxLedger> { ["default"] = a.Ledger, ["b"] = b.Ledger }, final);
        output.WriteLine($"two-provider chaos: {final.Count} orders, settled={settled} in {clock.Elapsed.TotalSeconds:0} s; " +
            string.Join(", ", final.GroupBy(o => (o.Status, o.Provider)).OrderBy(g => g.Key.Status).Select(g => $"{g.Key.Status} at {g.Key.Provider} {g.Count()}")) +
            $"; failed over {final.Count(o => o.ProvidersTried != null)}; invariant violations = {violations.Count}");
        violations.Take(20).ToList().ForEach(output.WriteLine);

        Assert.True(settled, "every order should reach a final status");
        Assert.Empty(violations);
        Assert.True(final.Count(o => o.ProvidersTried != null) > count / 20, "A's out-of-stock orders should have failed over to B");
    }

    [Fact]
    public async Task Killing_the_server_with_two_providers_loses_nothing_and_delivers_nothing_twice()
    {
        await using var a = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:LatencyMs"] = "30", ["Sandbox:LatencyJitterMs"] = "30", ["Sandbox:Faults:OutOfStockRate"] = "0.3" });
        await using var b = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:LatencyMs"] = "30", ["Sandbox:LatencyJitterMs"] = "30" });
        var dataDirectory = PortalFactory.NewDataDirectory();
        var settings = a.PortalSettingsWith(b);
        settings["Provider:CreateTimeout"] = "00:00:03";
        settings["Providers:b:CreateTimeout"] = "00:00:03";
        var sent = await CrashRounds.RunAsync(dataDirectory, settings, "crash2", seed: 11, output);

        var orders = await PortalDatabase.ReadAsync(dataDirectory, db => db.Orders.AsNoTracking().ToListAsync());
        var violations = SeveralProviderAudit.Check(new Dictionary<string, SandboxLedger> { ["default"] = a.Ledger, ["b"] = b.Ledger }, orders);
        output.WriteLine($"two-provider crash test: {orders.Count} orders, {CrashRounds.Kills} kills, at default {orders.Count(o => o.Provider == "default")}, " +
            $"at b {orders.Count(o => o.Provider == "b")}, invariant violations = {violations.Count}");
        violations.Take(20).ToList().ForEach(output.WriteLine);
        Assert.Equal(sent, orders.Count);
        Assert.Empty(violations);
    }
}
