using Xunit.Abstractions;

namespace MicoPortal.BrowserTests;

/// <summary>
/// The shared portal's log, relayed into the output of whichever test is running, so a failing
/// browser test shows the server's warnings and exceptions next to the browser's view. Lines
/// logged while no test is attached (start-up, between tests) are kept and handed to the next one.
/// </summary>
public sealed class ServerLogRelay : ITestOutputHelper
{
    private const int MaxPending = 500;

    private readonly Lock _gate = new();

    private readonly Queue<string> _pending = new();

    private ITestOutputHelper? _current;

    /// <summary>Relays to <paramref name="output"/> until the returned handle is disposed.</summary>
    public IDisposable Attach(ITestOutputHelper output)
    {
        lock (_gate)
        {
            _current = output;
            while (_pending.TryDequeue(out var line))
            {
                output.WriteLine("(before this test) " + line);
            }
        }

        return new Detach(this, output);
    }

    public void WriteLine(string message)
    {
        lock (_gate)
        {
            if (_current is not null)
            {
                try
                {
                    _current.WriteLine(message);
                    return;
                }
                catch (InvalidOperationException)
                {
                    // That test has already finished.
                    _current = null;
                }
            }

            _pending.Enqueue(message);
            if (_pending.Count > MaxPending)
            {
                _pending.Dequeue();
            }
        }
    }

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

    private sealed class Detach(ServerLogRelay relay, ITestOutputHelper output) : IDisposable
    {
        public void Dispose()
        {
            lock (relay._gate)
            {
                if (ReferenceEquals(relay._current, output))
                {
                    relay._current = null;
                }
            }
        }
    }
}
