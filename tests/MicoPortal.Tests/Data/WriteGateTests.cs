using MicoPortal.Server.Data;

namespace MicoPortal.Tests.Data;

/// <summary>SQLite's writers of this process take turns in arrival order; server databases are not gated.</summary>
public sealed class WriteGateTests
{
    [Fact]
    public async Task Sqlite_writers_take_turns_in_the_order_they_came_and_the_next_goes_in_when_a_turn_ends()
    {
        var gate = new WriteGate();
        var first = await gate.EnterAsync(DatabaseProvider.Sqlite, CancellationToken.None);
        var order = new List<int>();
        var inside = 0;
        var mostInside = 0;
        var waiting = Enumerable.Range(1, 5).Select(async n =>
        {
            using (await gate.EnterAsync(DatabaseProvider.Sqlite, CancellationToken.None))
            {
                var now = Interlocked.Increment(ref inside);
                lock (order)
                {
                    order.Add(n);
                    mostInside = Math.Max(mostInside, now);
                }

                await Task.Delay(5);
                Interlocked.Decrement(ref inside);
            }
        }).ToList();

        await Task.Delay(50);
        Assert.Empty(order);
        first.Dispose();
        first.Dispose(); // a second dispose lets no one else in
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2, 3, 4, 5], order);
        Assert.Equal(1, mostInside);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_gate_as_it_was()
    {
        var gate = new WriteGate();
        var held = await gate.EnterAsync(DatabaseProvider.Sqlite, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync(DatabaseProvider.Sqlite, cancel.Token));
        held.Dispose();
        using var next = await gate.EnterAsync(DatabaseProvider.Sqlite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(DatabaseProvider.SqlServer)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Server_databases_lock_rows_so_their_writers_are_not_gated(DatabaseProvider provider)
    {
        var gate = new WriteGate();
        using var first = await gate.EnterAsync(provider, CancellationToken.None);
        var second = gate.EnterAsync(provider, CancellationToken.None);
        Assert.True(second.IsCompletedSuccessfully);
        (await second).Dispose();
    }
}
