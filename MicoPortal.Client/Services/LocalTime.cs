using System.Globalization;

namespace MicoPortal.Client.Services;

/// <summary>Shows portal times (UTC on the wire) in the viewer's time zone; in WebAssembly that is the browser's.</summary>
public static class LocalTime
{
    public static string Format(DateTimeOffset value) =>
        value.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset? value) => value is { } v ? Format(v) : "—";

    public static string Clock(DateTimeOffset value) =>
        value.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Minute(DateTimeOffset value) =>
        value.ToLocalTime().ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The start of <paramref name="date"/>'s day in the viewer's time zone (a date picker's day as a filter bound).</summary>
    public static DateTimeOffset StartOfDay(DateTime date)
    {
        var day = DateTime.SpecifyKind(date.Date, DateTimeKind.Unspecified);
        return new DateTimeOffset(day, TimeZoneInfo.Local.GetUtcOffset(day));
    }

    public static string Duration(double? milliseconds) => milliseconds switch
    {
        null => "—",
        < 1000 => $"{milliseconds.Value.ToString("0", CultureInfo.InvariantCulture)} ms",
        < 60_000 => $"{(milliseconds.Value / 1000).ToString("0.0", CultureInfo.InvariantCulture)} s",
        _ => $"{(milliseconds.Value / 60_000).ToString("0.0", CultureInfo.InvariantCulture)} min",
    };
}
