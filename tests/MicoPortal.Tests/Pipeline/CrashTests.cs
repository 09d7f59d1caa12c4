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
        settings["Provider:CreateTimeout"] = "00:00:03"; // a create times out well inside its lease
        var sent = await CrashRounds.RunAsync(dataDirectory, settings, "crash", seed: 7, output);

        var orders = await PortalDatabase.ReadAsync(dataDirectory, db => db.Orders.AsNoTracking().ToListAsync());
        var violations = orders
            .Select(o => (Order: o, Truth: provider.Ledger.GetTruth(o.ClientRef)))
            .Where(x => x.Truth?.Status != ProviderStatuses.Success || x.Order.ProofSerial is null)
            .Select(x => $"{x.Order.ClientRef}: {x.Order.Status}, provider {x.Truth?.Status}")
            .ToList();
        var creates = ProviderCreateAudit.Check(provider.Ledger, orders);
        violations.AddRange(creates.Violations);
        output.WriteLine($"crash test: {orders.Count} orders, {CrashRounds.Kills} kills, invariant violations = {violations.Count}; creates at the provider: {creates}");
        violations.Take(10).ToList().ForEach(output.WriteLine);
        Assert.Equal(sent, orders.Count);
        Assert.Empty(violations);
    }
}
