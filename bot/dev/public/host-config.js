/* Adaptive Cards host config close to Microsoft Teams' light theme (fonts, spacing, colors, actions). */
(function (root) {
  var text = function (d, s) { return { default: d, subtle: s }; };
  root.HW_HOST_CONFIG = {
    hostCapabilities: { capabilities: null },
    choiceSetInputValueSeparator: ',',
    supportsInteractivity: true,
    fontFamily: "'Segoe UI', 'Segoe UI Web (West European)', -apple-system, BlinkMacSystemFont, Roboto, 'Helvetica Neue', sans-serif",
    spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: '#E0E0E0' },
    fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
    fontWeights: { lighter: 200, default: 400, bolder: 600 },
    imageSizes: { small: 32, medium: 52, large: 100 },
    containerStyles: {
      default: {
        backgroundColor: '#FFFFFF',
        foregroundColors: {
          default: text('#242424', '#616161'), dark: text('#252423', '#484644'), light: text('#FFFFFF', '#FFFFFF'),
          accent: text('#5B5FC7', '#4F52B2'), good: text('#237B4B', '#1B5E3A'), warning: text('#C19C00', '#8F7300'),
          attention: text('#C4314B', '#A72037'),
        },
      },
      emphasis: {
        backgroundColor: '#F5F5F5',
        foregroundColors: {
          default: text('#242424', '#616161'), dark: text('#252423', '#484644'), light: text('#FFFFFF', '#FFFFFF'),
          accent: text('#5B5FC7', '#4F52B2'), good: text('#237B4B', '#1B5E3A'), warning: text('#C19C00', '#8F7300'),
          attention: text('#C4314B', '#A72037'),
        },
      },
      good: { backgroundColor: '#E7F2DA', foregroundColors: { default: text('#242424', '#616161') } },
      attention: { backgroundColor: '#FCF4F6', foregroundColors: { default: text('#242424', '#616161') } },
      warning: { backgroundColor: '#FBF6D9', foregroundColors: { default: text('#242424', '#616161') } },
      accent: { backgroundColor: '#E8EBFA', foregroundColors: { default: text('#242424', '#616161') } },
    },
    actions: {
      maxActions: 6, spacing: 'default', buttonSpacing: 8,
      showCard: { actionMode: 'inline', inlineTopMargin: 16, style: 'emphasis' },
      preExpandSingleShowCardAction: false, actionsOrientation: 'horizontal', actionAlignment: 'left', wrap: true,
    },
    adaptiveCard: { allowCustomStyle: true },
    imageSet: { imageSize: 'medium', maxImageHeight: 100 },
    factSet: {
      title: { color: 'default', size: 'default', isSubtle: false, weight: 'bolder', wrap: true, maxWidth: 150 },
      value: { color: 'default', size: 'default', isSubtle: false, weight: 'default', wrap: true },
      spacing: 8,
    },
    textBlock: { headingLevel: 2 },
  };
})(typeof self !== 'undefined' ? self : this);
