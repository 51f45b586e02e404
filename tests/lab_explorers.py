"""The explorers the JupyterLab check drives: notebook file name -> the description of the slider
it moves (the label shown left of the slider). Each lesson adds its explorer here."""
EXPLORERS = {
    '00_data.ipynb': 'noise',
    '00a_explorer.ipynb': 'a',
    '01_neuron.ipynb': 'lr',
    '02_collapse.ipynb': 'lr',
    '03_relu.ipynb': 'step',
    '04_learning_rate.ipynb': 'lr',
    '05_momentum.ipynb': 'beta',
}
