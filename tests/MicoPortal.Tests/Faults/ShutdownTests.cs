using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MicoPortal.Server.Data;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Faults;

/// <summary>
/// Stopping the host while a dispatch batch is half sent: the creates already on the wire finish and
/// are recorded, the rest of the batch is handed back at once (no lease left to run out), and the
/// next server delivers everything, each order created once at the provider.
/// </summary>
public class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stopping_mid_batch_records_what_was_sent_releases_the_rest_and_a_restart_finishes_every_order()
    {
        const int count = 200;
        // Every provider call takes 3 s; with 8 calls at once a 200-order batch would need 75 s.
        await using var provider = await ProviderHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Faults:SlowRate"] = "1",
            ["Sandbox:Faults:SlowDelayMs"] = "3000",
        });
        var dataDirectory = PortalFactory.NewDataDirectory();
        var settings = provider.PortalSettings();
        settings["Provider:MaxConcurrentCalls"] = "8";
        settings["Provider:CreateTimeout"] = "00:00:10";
        settings["Verification:DispatchBatchSize"] = "500";

        var portal = new PortalFactory(dataDirectory, settings, output);
        var orders = Enumerable.Range(0, count).Select(i => PortalClient.NewOrder($"stop-{i}", ScenarioExpectations.UserId(10 + i % 80, i))).ToList();
        (await portal.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(orders))).EnsureSuccessStatusCode();
        Assert.True(await PortalClient.EventuallyAsync(() => portal.WithDbAsync(db => db.Orders.AnyAsync(o => o.LeaseUntil != null)), TimeSpan.FromSeconds(10)),
            "the dispatch sweep should claim the orders");
        await Task.Delay(500); // the first creates are on the wire

        var stopping = Stopwatch.StartNew();
        await portal.DisposeAsync(); // StopAsync, then dispose: the host's graceful shutdown
        stopping.Stop();

        var now = DateTimeOffset.UtcNow;
        var stored = await ReadAsync(dataDirectory, db => db.Orders.AsNoTracking().ToListAsync());
        var sent = stored.Where(o => provider.Ledger.CreatesReceived(o.ClientRef) > 0).ToList();
        var leased = stored.Where(o => o.LeaseUntil > now).Select(o => o.ClientRef).ToList();
        // Issued means "a create may have left": true for every order the provider saw, false for every other one.
        var issuedButNotSent = stored.Where(o => o.CreateIssuedAt != null && provider.Ledger.CreatesReceived(o.ClientRef) == 0).Select(o => o.ClientRef).ToList();
        var sentButNotRecorded = sent.Where(o => o.Status == OrderStatus.Received && o.CreateIssuedAt == null).Select(o => o.ClientRef).ToList();
        output.WriteLine($"stopped in {stopping.Elapsed.TotalSeconds:0.0} s: {sent.Count} of {count} sent, {leased.Count} still leased, " +
            $"{issuedButNotSent.Count} issued but never sent, {sentButNotRecorded.Count} sent but not recorded; " +
            string.Join(", ", stored.GroupBy(o => o.Status).Select(g => $"{g.Key} {g.Count()}")));

        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.InRange(sent.Count, 1, count - 1); // the stop really landed mid-batch
        Assert.Empty(leased);
        Assert.Empty(issuedButNotSent);
        Assert.Empty(sentButNotRecorded);

        // The provider is quick again; a new server on the same database finishes the work.
        using (var admin = new HttpClient())
        {
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProviderHost.ApiKey);
            var baseUrl = provider.BaseUrl[..provider.BaseUrl.IndexOf("/provider", StringComparison.Ordinal)];
            (await admin.PutAsJsonAsync(baseUrl + "/admin/faults", new { })).EnsureSuccessStatusCode();
        }

        await using var restarted = new PortalFactory(dataDirectory, settings, output);
        _ = restarted.RootUri; // start it
        var finished = await PortalClient.EventuallyAsync(
            () => restarted.WithDbAsync(db => db.Orders.AllAsync(o => o.Status == OrderStatus.Delivered)), TimeSpan.FromSeconds(40));
        var final = await restarted.WithDbAsync(db => db.Orders.AsNoTracking().ToListAsync());
        var creates = ProviderCreateAudit.Check(provider.Ledger, final);
        output.WriteLine($"after the restart: {string.Join(", ", final.GroupBy(o => o.Status).Select(g => $"{g.Key} {g.Count()}"))}; creates at the provider: {creates}");
        Assert.True(finished, "the restarted server should deliver every order");
        Assert.Empty(creates.Violations);
    }

    private static async Task<T> ReadAsync<T>(string dataDirectory, Func<PortalDbContext, Task<T>> read)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={Path.Combine(dataDirectory, "micoportal.db")};Pooling=False").Options;
        await using var db = new PortalDbContext(options);
        return await read(db);
    }
}
