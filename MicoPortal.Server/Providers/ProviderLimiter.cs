using System.Threading.RateLimiting;
using MicoPortal.Shared.Metrics;

namespace MicoPortal.Server.Providers;

/// <summary>What a call to the provider is for; counted apart on the dashboard.</summary>
public enum ProviderCallKind
{
    Create,
    Query,
    Lookup,
}

/// <summary>
/// The gate in front of one provider: calls in flight under the <see cref="AdaptiveConcurrency"/> limit,
/// and never more than <c>MaxRequestsPerSecond</c> requests started in a second (a token bucket holding
/// a twentieth of a second's tokens, refilled as often as that allows, so a second holds at most a
/// twentieth more than the rate, and only when the bucket was full at its start). Every limit and count lives per provider, so a slow or refusing
/// provider holds back its own calls and nobody else's.
/// </summary>
public sealed class ProviderLimiter : IDisposable
{
    private readonly object _lock = new();
    private readonly AdaptiveConcurrency _limit;
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly TokenBucketRateLimiter? _rate;
    private readonly int _maxRequestsPerSecond;
    private readonly int[] _inFlight = new int[Enum.GetValues<ProviderCallKind>().Length];
    private int _inFlightTotal;
    private int _awaitingRate;
    private long _calls;
    private long _refused;
    private long _failed;

    public ProviderLimiter(string provider, int initialConcurrency, int maxConcurrency, int maxRequestsPerSecond)
    {
        Provider = provider;
        _limit = new AdaptiveConcurrency(initialConcurrency, Math.Min(4, maxConcurrency), maxConcurrency);
        _maxRequestsPerSecond = maxRequestsPerSecond;
        if (maxRequestsPerSecond > 0)
        {
            var perPeriod = Math.Max(1, maxRequestsPerSecond / 20);
            _rate = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = perPeriod,
                TokensPerPeriod = perPeriod,
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(1000.0 * perPeriod / maxRequestsPerSecond),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
    }

    public string Provider { get; }

    /// <summary>Health and figures from how this provider's calls ended.</summary>
    public ProviderHealthTracker Health { get; } = new();

    /// <summary>The adaptive concurrency limit now.</summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit.Limit;
            }
        }
    }

    /// <summary>
    /// Waits for a slot and, with a rate limit, a token. Cancelling only ever cancels the wait: once this
    /// returns the call is the caller's to make and to <see cref="Release"/>.
    /// </summary>
    public async ValueTask AcquireAsync(ProviderCallKind kind, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource? waiter = null;
        lock (_lock)
        {
            if (_inFlightTotal < _limit.Limit && _waiters.Count == 0)
            {
                Take(kind);
            }
            else
            {
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
        }

        if (waiter is not null)
        {
            try
            {
                await waiter.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Handed a slot at the same moment as the cancellation: give it back.
                if (!waiter.TrySetCanceled())
                {
                    lock (_lock)
                    {
                        _inFlight[(int)kind]++;
                    }

                    Release(kind, null, 0);
                }

                throw;
            }

            lock (_lock)
            {
                _inFlight[(int)kind]++;
            }
        }

        if (_rate is not null)
        {
            // Waiting for a rate token is not being in flight at the provider: the limit must not grow on it.
            Interlocked.Increment(ref _awaitingRate);
            try
            {
                using var lease = await _rate.AcquireAsync(1, cancellationToken);
                if (!lease.IsAcquired)
                {
                    throw new InvalidOperationException($"The rate limit of provider {Provider} refused a call.");
                }
            }
            catch
            {
                Release(kind, null, 0);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _awaitingRate);
            }
        }
    }

    /// <summary>Ends a call: frees its slot and feeds the limit (null outcome: the call was never made).</summary>
    public void Release(ProviderCallKind kind, CallOutcome? outcome, double latencyMs)
    {
        lock (_lock)
        {
            _inFlight[(int)kind]--;
            _inFlightTotal--;
            if (outcome is { } o)
            {
                _calls++;
                if (o == CallOutcome.Refused)
                {
                    _refused++;
                }
                else if (o == CallOutcome.Failed)
                {
                    _failed++;
                }

                _limit.Record(o, latencyMs, _inFlightTotal + 1 - Volatile.Read(ref _awaitingRate), Environment.TickCount64);
                Health.Record(o, latencyMs, Environment.TickCount64);
            }

            // Hand freed slots to waiters in arrival order (a waiter that gave up is skipped).
            while (_inFlightTotal < _limit.Limit && _waiters.TryDequeue(out var waiter))
            {
                _inFlightTotal++;
                if (!waiter.TrySetResult())
                {
                    _inFlightTotal--;
                }
            }
        }
    }

    /// <summary>What the dashboard shows of this provider's pipeline.</summary>
    public ProviderPipelineStatus Status()
    {
        lock (_lock)
        {
            return new ProviderPipelineStatus(
                Provider,
                _inFlight[(int)ProviderCallKind.Create],
                _inFlight[(int)ProviderCallKind.Query],
                _limit.Limit,
                Math.Round(_limit.LatencyMs, 1),
                _maxRequestsPerSecond,
                _calls,
                _refused,
                _failed,
                _waiters.Count(w => !w.Task.IsCompleted) + Volatile.Read(ref _awaitingRate),
                Math.Round(_limit.RefusalBackground, 4),
                Math.Round(_limit.FailureBackground, 4),
                _limit.Undone);
        }
    }

    private void Take(ProviderCallKind kind)
    {
        _inFlight[(int)kind]++;
        _inFlightTotal++;
    }

    public void Dispose() => _rate?.Dispose();
}
