using System.Globalization;

namespace MicoPortal.Benchmarks;

/// <summary><c>--name value</c> pairs after the scenario name.</summary>
public sealed class BenchmarkOptions(Dictionary<string, string> values)
{
    public static BenchmarkOptions Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? key = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                key = arg[2..];
                values[key] = "true";
            }
            else if (key is not null)
            {
                values[key] = arg;
                key = null;
            }
        }

        return new BenchmarkOptions(values);
    }

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string? String(string name) => values.GetValueOrDefault(name);

    public bool Bool(string name, bool fallback) => values.TryGetValue(name, out var v) ? bool.Parse(v) : fallback;
}
