using MicoPortal.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Metrics;

/// <summary>Writes this instance's changed rollup rows every second (absolute values, so a lost flush heals on the next).</summary>
public sealed class MetricsRollupWriter(MetricsRecorder recorder, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, ILogger<MetricsRollupWriter> logger) : BackgroundService
{
    private readonly HashSet<(DateTimeOffset, string, string)> _written = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await FlushAsync(CancellationToken.None); // what the last second counted
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var rows = recorder.TakeDirty();
        if (rows.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            foreach (var row in rows)
            {
                var key = (row.Minute, row.Sku, row.Region);
                if (_written.Contains(key))
                {
                    await db.MetricsMinutes
                        .Where(m => m.Minute == row.Minute && m.Sku == row.Sku && m.Region == row.Region && m.Instance == row.Instance)
                        .ExecuteUpdateAsync(s => s
                            .SetProperty(m => m.Received, row.Received)
                            .SetProperty(m => m.Delivered, row.Delivered)
                            .SetProperty(m => m.Failed, row.Failed)
                            .SetProperty(m => m.Reversed, row.Reversed)
                            .SetProperty(m => m.Unattended, row.Unattended)
                            .SetProperty(m => m.LatencyBuckets, row.LatencyBuckets), cancellationToken);
                }
                else
                {
                    db.MetricsMinutes.Add(row);
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            foreach (var row in rows)
            {
                _written.Add((row.Minute, row.Sku, row.Region));
            }

            var cutoff = time.GetUtcNow().AddHours(-2);
            _written.RemoveWhere(k => k.Item1 < cutoff);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Metrics flush failed; it is retried with the next change");
        }
    }
}
