using System.Net.Http.Json;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// The crash drill: the portal process starts on one database, takes 400 orders (scenario 93 and 94 users mixed
/// in), is killed (SIGKILL) a random moment later, and again, <see cref="Kills"/> times; then it runs until every
/// order is Delivered. Settings that let a dead server's claims come free quickly are added here.
/// </summary>
public static class CrashRounds
{
    public const int Kills = 3;

    /// <summary>Runs the drill and returns how many orders were placed; the caller judges them.</summary>
    public static async Task<int> RunAsync(string dataDirectory, Dictionary<string, string?> settings, string prefix, int seed, ITestOutputHelper output)
    {
        settings["Verification:Lease"] = "00:00:10"; // a dead server's claims come free quickly
        settings["Verification:DispatchBatchSize"] = "50";
        settings["Verification:Backoff:0"] = "00:00:01";
        settings["Verification:Backoff:1"] = "00:00:02";
        settings["Verification:SettlementCheckAfter"] = "00:00:00";
        var random = new Random(seed);
        var sent = 0;
        for (var round = 0; round <= Kills; round++)
        {
            await using var portal = await PortalProcess.StartAsync(dataDirectory, settings);
            if (round < Kills)
            {
                var batch = Enumerable.Range(sent, 400).Select(i => PortalClient.NewOrder($"{prefix}-{i}", ScenarioExpectations.UserId(i % 7 == 0 ? 93 : i % 11 == 0 ? 94 : 10 + i % 80, i))).ToList();
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

        return sent;
    }

    private static Task<string> StatusesAsync(string dataDirectory) => PortalDatabase.ReadAsync(dataDirectory, async db =>
        string.Join(", ", (await db.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync()).Select(g => $"{g.Key} {g.Count}")));
}
