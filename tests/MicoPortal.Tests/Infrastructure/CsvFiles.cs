using nietras.SeparatedValues;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>Reads a CSV the portal wrote back with Sep, as a spreadsheet or a script would.</summary>
internal static class CsvFiles
{
    /// <summary>Every row as column name to value, quoting undone.</summary>
    public static List<Dictionary<string, string>> Read(string csv)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromText(csv);
        var rows = new List<Dictionary<string, string>>();
        foreach (var row in reader)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in reader.Header.ColNames)
            {
                values[name] = row[name].ToString();
            }

            rows.Add(values);
        }

        return rows;
    }
}
