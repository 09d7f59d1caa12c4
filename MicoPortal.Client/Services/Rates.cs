using System.Globalization;
using MudBlazor;

namespace MicoPortal.Client.Services;

/// <summary>Rates (success, automation) as the dashboard shows them.</summary>
public static class Rates
{
    /// <summary>The API sends a rate as a fraction (0..1); a server that sends a percentage is tolerated.</summary>
    public static double Percent(double rate) => rate <= 1 ? rate * 100 : rate;

    /// <summary>"97.5 %".</summary>
    public static string Format(double rate) => $"{Percent(rate).ToString("0.0", CultureInfo.InvariantCulture)} %";

    /// <summary>Green from 98 %, amber from 90 %, red below.</summary>
    public static Color ColorOf(double rate) => Percent(rate) switch
    {
        >= 98 => Color.Success,
        >= 90 => Color.Warning,
        _ => Color.Error,
    };
}
