using System;
using System.Globalization;

namespace ParallelJobs.Engine;

/// <summary>-MaxFailures: a count ("3") or a percentage of finished items ("10%").</summary>
internal static class FailureLimit
{
    /// <summary>Sets <paramref name="options"/>' limit from <paramref name="text"/>; throws ArgumentOutOfRangeException for a value out of range.</summary>
    public static void Apply(string? text, RunOptions options)
    {
        if (text is null)
        {
            return;
        }

        string trimmed = text.Trim();
        if (trimmed.EndsWith("%", StringComparison.Ordinal))
        {
            double percent = double.Parse(trimmed.TrimEnd('%').Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (percent <= 0 || percent > 100)
            {
                throw new ArgumentOutOfRangeException("MaxFailures", $"-MaxFailures {trimmed}: a percentage must be above 0 and at most 100.");
            }

            options.MaxFailurePercent = percent;
            return;
        }

        int count = int.Parse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture);
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException("MaxFailures", "-MaxFailures must be 1 or more (or a percentage such as 10%).");
        }

        options.MaxFailures = count;
    }
}
