using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;
using MicoPortal.Server.Health;
using MicoPortal.Server.Reconciliation;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Faults;

/// <summary>
/// Readiness follows the database and the job storage, and the portal heals by itself: the sweeps
/// keep running through a database outage and deliver new orders once it is back, with no restart.
/// Alone, not beside other tests: clearing SQLite's connection pools is process-wide.
/// </summary>
[Collection(DatabaseOutageCollection.Name)]
public class HealthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ready_is_503_naming_the_database_while_it_is_unreachable_and_the_portal_recovers_without_a_restart()
    {
        var dataDirectory = PortalFactory.NewDataDirectory();
        await using var portal = new PortalFactory(dataDirectory, output: output);
        var client = portal.CreateClient();
        var shop = portal.ShopClient();
        var before = await (await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder("health-before"))).ReadAsync<OrderDto>();
        Assert.True(await DeliveredAsync(portal, before.Id), "an order before the outage should be delivered");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        // The outage: the database's directory disappears. Open pooled connections would keep the old
        // file open, so the pools are cleared and every new connection has to open the path again.
        var away = dataDirectory + "-away";
        Directory.Move(dataDirectory, away);
        SqliteConnection.ClearAllPools();
        HttpResponseMessage? unready = null;
        try
        {
            Assert.True(await PortalClient.EventuallyAsync(async () =>
            {
                unready = await client.GetAsync("/health/ready");
                return unready.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, TimeSpan.FromSeconds(15)), "ready should turn 503 while the database is unreachable");
            var body = await unready!.Content.ReadAsStringAsync();
            output.WriteLine("during the outage: " + body);
            var checks = Checks(body);
            Assert.Equal("Unhealthy", checks["database"]);
            Assert.Equal("Healthy", checks["jobs"]);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

            // A few sweep rounds fail meanwhile (each second); they must not end the recurring loop.
            await Task.Delay(TimeSpan.FromSeconds(3));

            // Nothing may bring the directory back meanwhile, or SQLite would open a new, empty database in it
            // ("no such table"): the minutely reconciliation watchdog once did, building its file folder.
            // Built anew: the singleton may already exist from a watchdog run before the outage.
            ActivatorUtilities.CreateInstance<ReconciliationFiles>(portal.Services);
            Assert.False(Directory.Exists(dataDirectory), "the data directory should stay gone while it is away");
        }
        finally
        {
            Directory.Move(away, dataDirectory);
        }

        SqliteConnection.ClearAllPools();
        Assert.True(await PortalClient.EventuallyAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15)),
            "ready should be 200 again once the database is back");
        var after = await (await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder("health-after"))).ReadAsync<OrderDto>();
        Assert.True(await DeliveredAsync(portal, after.Id), "an order posted after the outage should be delivered by the same, never restarted, sweeps");
    }

    [Fact]
    public async Task Job_storage_that_does_not_answer_is_unhealthy()
    {
        var result = await new JobStorageHealthCheck(new BrokenStorage()).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("Job storage does not answer.", result.Description);
        Assert.IsType<InvalidOperationException>(result.Exception);
    }

    [Fact]
    public async Task Job_storage_without_a_running_job_server_is_unhealthy()
    {
        // A stub, not a real InMemoryStorage: that one logs through Hangfire's process-wide log provider,
        // which the last test host to start owns and may have disposed already.
        var result = await new JobStorageHealthCheck(new StubStorage(DispatchProxy.Create<IMonitoringApi, NoServers>())).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("No job server is running.", result.Description);
    }

    private static async Task<bool> DeliveredAsync(PortalFactory portal, long id) =>
        await PortalClient.EventuallyAsync(() => portal.WithDbAsync(db => db.Orders.AnyAsync(o => o.Id == id && o.Status == OrderStatus.Delivered)), TimeSpan.FromSeconds(30));

    private static Dictionary<string, string> Checks(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);
    }

    /// <summary>Job storage that answers; its monitoring API knows no job server.</summary>
    private sealed class StubStorage(IMonitoringApi monitoring) : JobStorage
    {
        public override IMonitoringApi GetMonitoringApi() => monitoring;

        public override IStorageConnection GetConnection() => throw new NotSupportedException();
    }

    public class NoServers : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IMonitoringApi.Servers) ? new List<ServerDto>() : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>Job storage whose server is down: every call throws, as a storage client would.</summary>
    private sealed class BrokenStorage : JobStorage
    {
        public override IMonitoringApi GetMonitoringApi() => throw new InvalidOperationException("job storage is unreachable");

        public override IStorageConnection GetConnection() => throw new InvalidOperationException("job storage is unreachable");
    }
}

/// <summary>Tests that break the database for the whole process run after the others, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseOutageCollection
{
    public const string Name = "database outage";
}
