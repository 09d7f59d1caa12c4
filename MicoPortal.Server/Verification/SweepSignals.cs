namespace MicoPortal.Server.Verification;

/// <summary>
/// Wakes an idle sweep as soon as this instance has new work for it (an order taken, a callback saved),
/// instead of letting it sleep out <see cref="VerificationOptions.IdlePoll"/>: the dispatch delay of a
/// lone order is then the time to claim it, not up to a quarter second. Other instances on the same
/// database still find the work by polling.
/// </summary>
public sealed class SweepSignals
{
    /// <summary>How long a woken sweep waits for more of the same before it claims.</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);

    public Signal Dispatch { get; } = new();

    public Signal Verify { get; } = new();

    /// <summary>A one-shot, re-armed wake-up: <see cref="Set"/> releases whoever waits now.</summary>
    public sealed class Signal
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Set() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        /// <summary>
        /// Waits for the next <see cref="Set"/> or <paramref name="timeout"/>, whichever comes first. After a
        /// wake-up it lingers <see cref="Gather"/> so that what arrives in the same moment is claimed together:
        /// at a trickle of orders that is one claim for several instead of one each.
        /// </summary>
        public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            try
            {
                await Volatile.Read(ref _next).Task.WaitAsync(timeout, time, cancellationToken);
                await Task.Delay(Gather, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }
}
