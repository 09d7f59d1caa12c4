using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MicoPortal.Server.Data;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicoPortal.Tests.ScaleOut;

/// <summary>
/// Production scale-out on a real database server: two portal processes share PostgreSQL (orders and
/// Hangfire storage) and a Redis SignalR backplane. SQL Server cannot run on the build machines;
/// PostgreSQL exercises the same multi-server paths (row-locking claims, shared job storage,
/// idempotent intake from two writers). The test starts PostgreSQL and Redis itself and fails,
/// rather than skips, when their binaries are missing.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class ScaleOutTests(ITestOutputHelper output)
{
    private const int BatchSize = 500;

    [Fact]
    public async Task Two_instances_on_PostgreSQL_and_Redis_finish_every_order_exactly_once_when_one_is_killed()
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("MICOPORTAL_SCALEOUT_ORDERS"), out var n) ? n : 20_000;
        var clock = Stopwatch.StartNew();
        await using var postgres = await PostgresServer.StartAsync();
        await using var redis = await RedisServer.StartAsync();
        await using var provider = await ProviderHost.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("micoportal");
        var settings = provider.PortalSettings();
        settings["Database:Provider"] = "PostgreSql";
        settings["ConnectionStrings:Portal"] = connectionString;
        settings["Redis:Connection"] = redis.Connection;
        settings["Verification:Lease"] = "00:00:10"; // the killed instance's claims come free within the run
        settings["Verification:Backoff:0"] = "00:00:01";
        settings["Verification:Backoff:1"] = "00:00:02";
        settings["Verification:SettlementCheckAfter"] = "00:30:00";
        settings["Provider:CreateTimeout"] = "00:00:03";
        settings["Provider:QueryTimeout"] = "00:00:03";
        var keys = Path.Combine(PortalFactory.NewDataDirectory(), "keys");
        settings["DataProtection:KeysDirectory"] = keys; // shared, so a sign-in on one instance is valid on the other

        // One after the other: the first applies the migrations and installs Hangfire's schema.
        await using var a = await PortalProcess.StartAsync(PortalFactory.NewDataDirectory(), settings);
        await using var b = await PortalProcess.StartAsync(PortalFactory.NewDataDirectory(), settings);
        output.WriteLine($"PostgreSQL on :{postgres.Port}, Redis on :{redis.Port}, instances A {a.Root} and B {b.Root} ready after {clock.Elapsed.TotalSeconds:0.0} s");

        // Behind a load balancer the next request may land on the other instance.
        var (signedInOnA, _) = await SignInAsync(a.Root);
        using (signedInOnA)
        {
            var onB = await signedInOnA.GetAsync(new Uri(b.Root, "api/v1/metrics/summary?window=15m"));
            Assert.Equal(HttpStatusCode.OK, onB.StatusCode);
        }

        // A dashboard on A. Orders that B takes in are announced (Received) only by B, so seeing them here
        // means B's changes crossed the Redis backplane.
        var seenOnA = new ConcurrentDictionary<string, OrderStatus>();
        await using var hub = await ConnectDashboardAsync(a.Root);
        hub.On<OrderChange[]>("OrdersChanged", changes =>
        {
            foreach (var change in changes)
            {
                if (change.Status == OrderStatus.Received)
                {
                    seenOnA[change.ExternalId] = change.Status;
                }
            }
        });

        // Shop traffic through both instances, batch by batch; B is killed (SIGKILL) while a batch to it is in
        // flight, and the shop re-sends that batch to A, as a shop retries after a failed request.
        var orders = Enumerable.Range(0, total).Select(i => PortalClient.NewOrder($"scale-{i}", ScenarioExpectations.UserId(Scenario(i), i))).ToList();
        var sentToB = new List<string>();
        var created = new Dictionary<string, int> { ["A"] = 0, ["B"] = 0 };
        var existing = 0;
        var batches = orders.Chunk(BatchSize).ToList();
        var killAt = batches.Count * 3 / 5;
        TimeSpan? killedAt = null;
        var killedDuringBatch = -1;
        using var shopA = a.ShopClient();
        using var shopB = b.ShopClient();
        for (var i = 0; i < batches.Count; i++)
        {
            var toB = i % 2 == 1 && killedAt is null;
            if (toB && i >= killAt)
            {
                var inFlight = shopB.PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batches[i]));
                await Task.Delay(20);
                await b.KillAsync();
                killedAt = clock.Elapsed;
                killedDuringBatch = i;
                try
                {
                    (await inFlight).EnsureSuccessStatusCode();
                    output.WriteLine("the batch in flight to B completed before the kill");
                }
                catch (HttpRequestException)
                {
                    output.WriteLine("the batch in flight to B failed with the kill");
                }

                toB = false; // the shop retries on A: orders B already committed come back as "existing"
            }

            var shop = toB ? shopB : shopA;
            var response = await shop.PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(batches[i]));
            response.EnsureSuccessStatusCode();
            var results = (await response.ReadAsync<CreateOrderBatchResponse>()).Results;
            created[toB ? "B" : "A"] += results.Count(r => r.Outcome == "created");
            existing += results.Count(r => r.Outcome == "existing");
            Assert.All(results, r => Assert.Contains(r.Outcome, new[] { "created", "existing" }));
            if (toB)
            {
                sentToB.AddRange(batches[i].Select(o => o.ExternalId!));
            }
        }

        var intakeDone = clock.Elapsed;
        output.WriteLine($"intake: {total} orders in {batches.Count} batches of {BatchSize}; created via A {created["A"]}, via B {created["B"]}, " +
            $"existing on retry {existing}; B killed at {killedAt?.TotalSeconds:0.0} s (during batch {killedDuringBatch + 1} of {batches.Count}, {killedDuringBatch * BatchSize} orders taken in before it), intake done at {intakeDone.TotalSeconds:0.0} s");

        var crossed = await PortalClient.EventuallyAsync(() => Task.FromResult(sentToB.Any(seenOnA.ContainsKey)), TimeSpan.FromSeconds(30));
        output.WriteLine($"dashboard on A saw {sentToB.Count(seenOnA.ContainsKey)} of the {sentToB.Count} orders B took in as Received (pushed by B through Redis)");
        Assert.True(crossed, "a dashboard connected to A should see changes made by B");

        var finished = await PortalClient.EventuallyAsync(async () =>
            await ReadAsync(connectionString, db => db.Orders.CountAsync(o => o.Status == OrderStatus.Delivered || o.Status == OrderStatus.Failed || o.Status == OrderStatus.Reversed)) == total,
            TimeSpan.FromSeconds(150));
        var finalAt = clock.Elapsed;
        output.WriteLine($"statuses at {finalAt.TotalSeconds:0.0} s: {await StatusesAsync(connectionString)}");
        Assert.True(finished, "every order should reach a final status on the surviving instance");

        var stored = await ReadAsync(connectionString, db => db.Orders.AsNoTracking().ToListAsync());
        var perInstance = await ReadAsync(connectionString, db => db.MetricsMinutes.AsNoTracking()
            .GroupBy(m => m.Instance).Select(g => new { Instance = g.Key, Received = g.Sum(m => m.Received), Delivered = g.Sum(m => m.Delivered) }).ToListAsync());
        var duplicateRows = stored.GroupBy(o => (o.Shop, o.ExternalId)).Count(g => g.Count() > 1);
        var ledger = stored.Select(o => (Order: o, Counts: provider.Ledger.GetCreateCounts(o.ClientRef), Truth: provider.Ledger.GetTruth(o.ClientRef))).ToList();
        var creates = ProviderCreateAudit.Check(provider.Ledger, stored);
        var duplicateCreates = creates.Replayed + creates.SentAgainUnasked;
        var violations = ledger
            .Where(x => x.Order.Status != OrderStatus.Delivered || x.Order.ProofSerial is null || x.Order.LeaseUntil is not null)
            .Select(x => $"{x.Order.ExternalId} ({x.Order.ClientRef}): {x.Order.Status}, committed {x.Counts.Committed}, replayed {x.Counts.Replayed}, provider {x.Truth?.Status}, lease {x.Order.LeaseUntil}")
            .Concat(creates.Violations)
            .ToList();
        // Rollups are flushed periodically: a killed instance loses its unflushed counts (metrics only, never orders).
        foreach (var instance in perInstance)
        {
            output.WriteLine($"metrics rollup of instance {instance.Instance}: received {instance.Received}, delivered {instance.Delivered}");
        }

        output.WriteLine($"scale-out: orders={stored.Count}, final={stored.Count(o => o.Status == OrderStatus.Delivered)} delivered, duplicate rows={duplicateRows}, " +
            $"duplicate creates={duplicateCreates}, violations={violations.Count}, all final at {finalAt.TotalSeconds:0.0} s ({(finalAt - intakeDone).TotalSeconds:0.0} s after intake)");
        violations.Take(10).ToList().ForEach(output.WriteLine);

        // Both instances sealed the audit chain at the same time until B died: it must still be one chain.
        using var admin = await a.AdminClientAsync();
        AuditVerification? audit = null;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            audit = await admin.GetFromJsonAsync<AuditVerification>("api/v1/audit/verify", PortalClient.Json);
            return audit!.Pending == 0;
        }, TimeSpan.FromSeconds(60)), "the surviving instance should seal every audit entry");
        output.WriteLine($"audit chain: valid={audit!.Valid}, entries={audit.Entries}, broken at {audit.FirstBrokenEntry?.Sequence}: {audit.FirstBrokenEntry?.Reason}");
        Assert.True(audit.Valid);

        Assert.Equal(total, stored.Count);
        Assert.Equal(0, duplicateRows);
        Assert.Equal(0, duplicateCreates);
        Assert.Empty(violations);
        Assert.NotNull(killedAt);
    }

    /// <summary>Mostly plain deliveries, plus creates whose answer is lost (93) and creates that time out uncommitted (94).</summary>
    private static int Scenario(int i) => i % 97 == 0 ? 93 : i % 89 == 0 ? 94 : 10 + i % 80;

    private static async Task<(HttpClient Client, CookieContainer Cookies)> SignInAsync(Uri root)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = root };
        client.DefaultRequestHeaders.Add("Origin", PortalClient.OriginOf(root));
        (await client.PostAsJsonAsync("api/v1/auth/login", new { email = PortalClient.Admin, password = PortalClient.Password })).EnsureSuccessStatusCode();
        return (client, cookies);
    }

    private static async Task<HubConnection> ConnectDashboardAsync(Uri root)
    {
        var (client, cookies) = await SignInAsync(root);
        client.Dispose();

        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(root, "hubs/operations"), o => { o.Cookies = cookies; o.Headers["Origin"] = PortalClient.OriginOf(root); })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
            .Build();
        await hub.StartAsync();
        return hub;
    }

    private static async Task<T> ReadAsync<T>(string connectionString, Func<PortalDbContext, Task<T>> read)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalDatabase(DatabaseProvider.PostgreSql, connectionString);
        await using var db = new PortalDbContext(options.Options);
        return await read(db);
    }

    private static Task<string> StatusesAsync(string connectionString) => ReadAsync(connectionString, async db =>
        string.Join(", ", (await db.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync()).Select(g => $"{g.Key} {g.Count}")));
}
