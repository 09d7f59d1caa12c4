using System.Threading.Channels;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Realtime;

/// <summary>
/// In-process fan-out of order changes, written after each committed transition. Each subscriber
/// (the hub broadcaster, the metrics rollup) gets its own bounded channel; a slow subscriber drops
/// its oldest changes instead of holding up the sweeps.
/// </summary>
public sealed class OrderChangeFeed
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);

    public void Publish(IReadOnlyList<OrderChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        foreach (var channel in _subscribers.Channels)
        {
            foreach (var change in changes)
            {
                channel.Writer.TryWrite(change);
            }
        }
    }

    public Subscription Subscribe(int capacity = 100_000)
    {
        var channel = Channel.CreateBounded<OrderChange>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _subscribers = new([.. _subscribers.Channels, channel]);
        }

        return new Subscription(this, channel);
    }

    private void Unsubscribe(Channel<OrderChange> channel)
    {
        lock (_gate)
        {
            _subscribers = new([.. _subscribers.Channels.Where(c => c != channel)]);
        }

        channel.Writer.TryComplete();
    }

    private sealed record ImmutableSubscribers(Channel<OrderChange>[] Channels);

    public sealed class Subscription(OrderChangeFeed feed, Channel<OrderChange> channel) : IDisposable
    {
        public ChannelReader<OrderChange> Reader => channel.Reader;

        public void Dispose() => feed.Unsubscribe(channel);
    }
}
