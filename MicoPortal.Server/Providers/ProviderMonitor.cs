using System.Globalization;
using MicoPortal.Server.Verification;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Providers;

/// <summary>
/// Keeps each provider's state current on this instance: reads the pause switches (another instance may have
/// flipped one), probes a provider whose circuit is open (its balance, a read: a create is never a probe), and
/// reads every provider's prepaid float each <see cref="VerificationOptions.BalanceCheckInterval"/>.
/// A background loop rather than a Hangfire job: it runs every second on every instance, and each instance's
/// circuits and switches are its own.
/// </summary>
public sealed class ProviderMonitor(
    ProviderCatalog catalog,
    ProviderStates states,
    IOptions<VerificationOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ProviderMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, DateTimeOffset> _balanceReadAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _reading = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The built-in sandbox's address is known only once the server listens.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var settings = options.Value;
        var refreshedAt = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Tick, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                if (now - refreshedAt >= settings.ProviderStateRefresh)
                {
                    await states.RefreshAsync(stoppingToken);
                    refreshedAt = now;
                }

                // Reads run beside the loop, one at a time per provider: a provider whose limiter is full or whose
                // answer hangs must not hold up the pause switches or the other providers.
                foreach (var entry in catalog.All)
                {
                    if (_reading.TryGetValue(entry.Name, out var reading) && !reading.IsCompleted)
                    {
                        continue;
                    }

                    var probe = entry.Health.ProbeDue(Environment.TickCount64);
                    var balanceDue = now - _balanceReadAt.GetValueOrDefault(entry.Name, DateTimeOffset.MinValue) >= settings.BalanceCheckInterval;
                    if (probe || balanceDue)
                    {
                        _balanceReadAt[entry.Name] = now;
                        _reading[entry.Name] = ReadBalanceAsync(entry, probe, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Provider monitor round failed; the next round tries again");
            }

            try
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadBalanceAsync(ProviderEntry entry, bool probe, CancellationToken cancellationToken)
    {
        try
        {
            await ReadBalanceOnceAsync(entry, probe, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Reading the balance of provider {Provider} failed; the next round tries again", entry.Name);
        }
    }

    private async Task ReadBalanceOnceAsync(ProviderEntry entry, bool probe, CancellationToken cancellationToken)
    {
        var result = await entry.Client.GetBalanceAsync(cancellationToken);
        if (probe)
        {
            entry.Health.Probed(result.Balance is not null, Environment.TickCount64);
            logger.LogInformation("Probe of provider {Provider} (circuit open): {Outcome}", entry.Name, result.Balance is not null ? "answered, circuit closed" : result.Error);
        }

        if (result.Balance is { } answer)
        {
            var balance = decimal.Parse(answer.Balance, NumberStyles.Number, CultureInfo.InvariantCulture);
            await states.RecordBalanceAsync(entry, balance, answer.Currency, cancellationToken);
        }
        else
        {
            logger.LogInformation("Balance of provider {Provider} unavailable: {Error}", entry.Name, result.Error);
        }
    }
}
