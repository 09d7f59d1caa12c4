using System.Globalization;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Demo;

/// <summary>
/// Feeds orders through the same intake as the shop API, with a realistic mix of sandbox scenario
/// user IDs (docs/api.md section 5): mostly ordinary deliveries, a few of every fault.
/// </summary>
public sealed class DemoTrafficGenerator(IServiceProvider services, IOptions<DemoOptions> options, TimeProvider time, ILogger<DemoTrafficGenerator> logger) : BackgroundService
{
    private static readonly (string Sku, int Coins, string Amount)[] Catalog =
    [
        ("MICO-COINS-100", 100, "0.99"), ("MICO-COINS-500", 500, "4.99"), ("MICO-COINS-1200", 1200, "9.99"),
        ("MICO-COINS-3000", 3000, "24.99"), ("MICO-COINS-6500", 6500, "49.99"), ("MICO-COINS-14000", 14000, "99.99"),
    ];

    /// <summary>Scenario suffix and weight (percent). Anything else is an ordinary delivery.</summary>
    private static readonly (int Suffix, double Percent)[] Scenarios =
    [
        (91, 3), (92, 5), (93, 1.5), (94, 1.5), (95, 1), (96, 1.5), (97, 0.5), (98, 2), (99, 1),
    ];

    private const int Tick = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rate = options.Value.OrdersPerSecond;
        if (rate <= 0)
        {
            return;
        }

        logger.LogInformation("Demo traffic: {Rate} orders per second", rate);
        var random = new Random();
        var owed = 0.0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Tick), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            owed += rate * Tick / 1000.0;
            var count = (int)owed;
            owed -= count;
            if (count == 0)
            {
                continue;
            }

            var batch = Enumerable.Range(0, count).Select(_ => NextOrder(random)).ToList();
            try
            {
                await services.GetRequiredService<OrderIntake>().AcceptManyAsync(batch, "demo", stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Demo traffic batch failed");
            }
        }
    }

    private static CreateOrderRequest? NextOrder(Random random)
    {
        var (sku, coins, amount) = Catalog[random.Next(Catalog.Length)];
        return new CreateOrderRequest(
            $"demo-{Guid.NewGuid():N}",
            NextUserId(random),
            random.NextDouble() < 0.3 ? "MENA" : "GLOBAL",
            sku,
            coins,
            amount,
            "USD",
            // Most shops pass the customer's phone for the SMS; some orders come without one.
            random.NextDouble() < 0.9 ? $"+9715{random.Next(10_000_000, 100_000_000)}" : null);
    }

    private static string NextUserId(Random random)
    {
        var roll = random.NextDouble() * 100;
        var suffix = -1;
        foreach (var (scenario, percent) in Scenarios)
        {
            if (roll < percent)
            {
                suffix = scenario;
                break;
            }

            roll -= percent;
        }

        if (suffix < 0)
        {
            suffix = random.Next(1, 90); // 01..89: ordinary delivery
        }

        var prefix = random.Next(100_000, 9_999_999);
        return prefix.ToString(CultureInfo.InvariantCulture) + suffix.ToString("00", CultureInfo.InvariantCulture);
    }
}
