using System.Runtime.CompilerServices;

namespace MicoPortal.TestSupport;

/// <summary>
/// Plain <c>dotnet test</c> runs the test assemblies side by side. On a small machine the heavy suites
/// (the integration suite's 10,000-order chaos run and many live servers, the browser suite's Chromium)
/// starve each other into timeouts, so each of them takes this machine-wide lock before its first test
/// and keeps it until its test process exits: they run one after the other, whatever runs them.
/// The light suites (bUnit, sandbox) do not take it. The operating system releases the lock when the
/// process ends, however it ends.
/// </summary>
internal static class OneHeavySuiteAtATime
{
    private static FileStream? _held;

#pragma warning disable CA2255 // A module initializer is the point: it runs before any test of the assembly, whoever runs it.
    [ModuleInitializer]
    internal static void Acquire()
#pragma warning restore CA2255
    {
        var path = Path.Combine(Path.GetTempPath(), "micoportal-heavy-test-suite.lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive lock on the file (flock on Linux), not just an open handle.
                _held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                break;
            }
            catch (IOException)
            {
                Thread.Sleep(500);
            }
        }

        if (waited.Elapsed > TimeSpan.FromSeconds(1))
        {
            Console.WriteLine($"[{typeof(OneHeavySuiteAtATime).Assembly.GetName().Name}] waited {waited.Elapsed.TotalSeconds:0} s for the other heavy test suite to finish");
        }
    }
}
