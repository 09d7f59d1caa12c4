using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>
/// Sends the signed delivery callbacks. A poll finds orders whose status moved since their last
/// callback (status is a function of time, so nothing else would notice), and each order's sends
/// run on their own task so a slow or failing receiver never holds up the API or other orders.
/// One dispatcher serves every instance's ledger (<see cref="SandboxInstances"/>).
/// </summary>
internal sealed class SandboxCallbackDispatcher(
    SandboxInstances instances,
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<SandboxOptions> options,
    TimeProvider time,
    ILogger<SandboxCallbackDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "MicoPortal.Sandbox.Callbacks";

    // Real time on purpose: the poll cadence is machinery, the orders' own clock is the TimeProvider.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private const int PruneEveryTicks = 300; // about once a minute
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly SemaphoreSlim _concurrency = new(16);
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(PollInterval);
        var tick = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var prune = ++tick % PruneEveryTicks == 0;
                    foreach (var name in instances.Names)
                    {
                        var ledger = instances.Ledger(name);
                        foreach (var (order, version) in ledger.TakeDueCallbacks())
                        {
                            Track(SendOrderUpdateAsync(ledger, order, version, stoppingToken));
                        }

                        if (prune)
                        {
                            ledger.Prune(time.GetUtcNow() - TimeSpan.FromMinutes(options.CurrentValue.RetentionMinutes));
                        }
                    }
                }
                catch (Exception ex)
                {
                    // Never let one bad tick stop the sender (or, worse, the host).
                    logger.LogError(ex, "Sandbox callback poll failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(_inFlight.Keys);
    }

    private void Track(Task task)
    {
        _inFlight.TryAdd(task, 0);
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The sends for one status change, in order: the faults decide drops, duplicates and reordering.</summary>
    private async Task SendOrderUpdateAsync(SandboxLedger ledger, SandboxOrder order, int version, CancellationToken cancellationToken)
    {
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var faults = options.CurrentValue.Faults;
            if (Hit(faults.CallbackDropRate))
            {
                ledger.CountFault("CallbackDrop");
                logger.LogInformation("Sandbox drops the callback for {ClientRef} v{Version}", order.ClientRef, version);
                return;
            }

            // Scenario 98: the newer version, then the older one, then the newer one again (same eventId).
            var chaos = order.Scenario == SandboxScenario.CallbackChaos;
            var sends = new List<int> { version };
            var reorder = !chaos && Hit(faults.CallbackReorderRate);
            if ((chaos || reorder) && version > 1)
            {
                if (reorder)
                {
                    ledger.CountFault("CallbackReorder");
                }

                sends.Add(version - 1);
            }

            var duplicate = !chaos && Hit(faults.CallbackDuplicateRate);
            if (chaos || duplicate)
            {
                if (duplicate)
                {
                    ledger.CountFault("CallbackDuplicate");
                }

                sends.Add(version);
            }

            var url = new Uri(order.Request.CallbackUrl!);
            foreach (var v in sends)
            {
                await SendWithRetriesAsync(ledger, url, order, v, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Sandbox callback for {ClientRef} failed", order.ClientRef);
        }
        finally
        {
            _concurrency.Release();
            ledger.RecordCallbackFinished(order.ClientRef);
        }
    }

    private async Task SendWithRetriesAsync(SandboxLedger ledger, Uri url, SandboxOrder order, int version, CancellationToken cancellationToken)
    {
        // One event id per (order, version): a duplicate or a retry is recognisably the same event.
        var callback = new ProviderCallback($"evt_{order.ProviderRef}_v{version}", ProviderCallback.OrderUpdated, order.Snapshot(version));
        // Serialized once: the signature covers exactly these bytes, on every attempt.
        var body = JsonSerializer.SerializeToUtf8Bytes(callback, ProviderJson.Options);
        var client = httpClientFactory.CreateClient(HttpClientName);

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Add(ProviderCallbackHeaders.EventId, callback.EventId);
                request.Headers.Add(ProviderCallbackHeaders.Timestamp, timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(ProviderCallbackHeaders.Signature, CallbackSignature.Sign(options.CurrentValue.CallbackSecret, timestamp, body));

                using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    ledger.RecordCallbackDelivered(order.ClientRef);
                    return;
                }

                logger.LogWarning("Sandbox callback {EventId} answered {StatusCode} (attempt {Attempt})", callback.EventId, (int)response.StatusCode, attempt + 1);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                logger.LogWarning("Sandbox callback {EventId} failed (attempt {Attempt}): {Error}", callback.EventId, attempt + 1, ex.Message);
            }

            if (attempt >= RetryDelays.Length)
            {
                logger.LogWarning("Sandbox callback {EventId} given up; the portal will learn the status by querying", callback.EventId);
                return;
            }

            await Task.Delay(RetryDelays[attempt], cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Hit(double rate) => rate > 0 && Random.Shared.NextDouble() < rate;

    public override void Dispose()
    {
        _concurrency.Dispose();
        base.Dispose();
    }
}
