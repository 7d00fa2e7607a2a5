"""The Keras-conventions family (74xx), one module per kind of habit: layer constructions
(`constructions`), functional dropout (`dropout`), recurrent layouts (`recurrent`) and training
loops (`training`); `common` holds what they share. `torchport.rules.keras` runs them."""
