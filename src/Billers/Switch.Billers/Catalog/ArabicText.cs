using System.Text;

namespace Switch.Billers.Catalog;

/// <summary>
/// Search text in one form, so that the ways people type a name all meet: Arabic letter forms folded (أ إ آ ٱ → ا,
/// ة → ه, ى → ي, ؤ → و, ئ → ي), harakat, Quranic marks and tatweel removed, Arabic-Indic and Eastern Arabic-Indic
/// digits as ASCII digits, Latin letters in lower case, and any run of other characters (spaces, punctuation) as one
/// space. "فاتوره" and "فاتورة" become the same text.
/// </summary>
public static class ArabicText
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var result = new StringBuilder(text.Length);
        var space = true;
        foreach (var c in text)
        {
            var folded = Fold(c);
            if (folded == '\0')
            {
                continue;
            }

            if (folded == ' ')
            {
                if (!space)
                {
                    result.Append(' ');
                    space = true;
                }

                continue;
            }

            result.Append(folded);
            space = false;
        }

        if (result.Length > 0 && result[^1] == ' ')
        {
            result.Length--;
        }

        return result.ToString();
    }

    /// <summary>The character as the index keeps it: '\0' to drop it, ' ' for a separator.</summary>
    private static char Fold(char c) => c switch
    {
        >= 'A' and <= 'Z' => (char)(c + 32),
        >= 'a' and <= 'z' or >= '0' and <= '9' => c,
        'أ' or 'إ' or 'آ' or 'ٱ' => 'ا',
        'ة' => 'ه',
        'ى' => 'ي',
        'ؤ' => 'و',
        'ئ' => 'ي',
        'ـ' => '\0',                                     // tatweel
        >= '\u064B' and <= '\u065F' or '\u0670' => '\0', // harakat, shadda, sukun, superscript alef
        >= '\u06D6' and <= '\u06ED' => '\0',             // Quranic annotation marks
        >= '\u0660' and <= '\u0669' => (char)('0' + (c - '\u0660')), // Arabic-Indic digits
        >= '\u06F0' and <= '\u06F9' => (char)('0' + (c - '\u06F0')), // Eastern Arabic-Indic (Persian) digits
        '\u200C' or '\u200D' or '\u200E' or '\u200F' => '\0',        // joiners and direction marks
        _ when char.IsLetterOrDigit(c) => char.ToLowerInvariant(c),
        _ => ' ',
    };
}
